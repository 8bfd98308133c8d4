//! The Kubernetes audit sample: counts per verb and resource, and spot-checked fields.
