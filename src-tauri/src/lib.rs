//! The Evidentia desktop shell: builds the Tauri app (window, plugins, commands, session state)
//! over the façade crate `evidentia_app`; `main.rs` only calls [`run`].

mod commands;
mod demo;
pub mod dto;
pub mod error;
mod session;

use tauri::Manager;

use crate::session::{Dirs, Session};

/// Starts the app and blocks until its window is closed.
pub fn run() {
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .setup(|app| {
            let paths = app.path();
            let dirs = Dirs {
                config: paths.app_config_dir()?,
                data: paths.app_data_dir()?,
            };
            app.manage(Session::new(
                dirs,
                session::start_from_args(),
                session::user_from_env(),
            ));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::current_workspace,
            commands::open_workspace,
            commands::open_team_workspace,
            commands::init_workspace,
            commands::open_demo_workspace,
            commands::list_entries,
            commands::entry_source,
            commands::identity_names,
            commands::write_table_view,
            commands::list_imports,
            commands::list_checkpoints,
            commands::create_checkpoint,
            commands::public_key,
            commands::create_signing_key,
            commands::verify_pack_file_with,
            commands::verify_ledger,
            commands::import_files,
            commands::builtin_profiles,
            commands::current_policy,
            commands::list_accounts,
            commands::analyze_workspace,
            commands::events_run,
            commands::list_events,
            commands::event_chain,
            commands::findings_view,
            commands::record_response,
            commands::exceptions_view,
            commands::reviews_view,
            commands::sample_populations,
            commands::draw_sample,
            commands::write_sample_workpaper,
            commands::overview_assessment,
            commands::write_output,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("evidentia: the desktop app could not start: {e}");
        std::process::exit(1);
    }
}
