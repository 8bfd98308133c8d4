//! The Entra ID audit samples (Log Analytics and Azure Monitor shapes): counts and fields.
