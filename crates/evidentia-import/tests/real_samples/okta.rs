//! The Okta System Log sample: counts per event type and spot-checked fields.
