//! The desktop binary's entry point; everything else lives in the library so tests can drive it.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    evidentia_desktop::run();
}
