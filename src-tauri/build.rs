//! Tauri's build step: embeds tauri.conf.json, the capabilities and the icons. The demo's
//! sample files are embedded by `evidentia-app` (its build.rs).

fn main() {
    tauri_build::build();
}
