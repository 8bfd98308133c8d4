//! The Google Workspace sample: counts per application:event and action, and spot-checked fields.
