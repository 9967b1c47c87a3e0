// The shell's commands, written once. `for_each_command!(m)` calls the macro `m` with the path
// of every command: lib.rs registers them with `collect_commands` (which also generates their
// TypeScript bindings), build.rs declares their names so the capabilities can allow them one by
// one, and a test holds `capabilities/default.json` to the same list. Add a command here only.
//
// (A plain file rather than a module: build.rs `include!`s it too.)

macro_rules! for_each_command {
    ($then:ident) => {
        $then![
            commands::app_info,
            commands::build_prompt,
            commands::tiers,
            commands::presets,
            commands::genres,
            commands::generate,
            commands::cancel_task,
            commands::list_songs,
            commands::reveal_song,
            commands::audio_settings,
            commands::set_audio_settings,
            songs::take_rename,
            songs::take_delete,
            songs::take_to_project,
            ghost::project_create,
            ghost::project_open,
            ghost::project_import,
            ghost::project_analyze,
            ghost::project_set_knobs,
            ghost::project_produce,
            ghost::project_edit,
            ghost::project_undo,
            ghost::project_render,
            ghost::project_export,
            ghost::project_playable,
            ghost::project_ab_gains,
            ghost::pick_path,
            ghost::project_track_audio,
            ghost::project_spectrum,
            ghost::record_start,
            ghost::record_stop,
            ghost::project_set_tempo,
            ghost::project_set_markers,
            ghost::latency_settings,
            ghost::latency_calibrate,
            ghost::latency_set_manual,
            ghost::project_play,
            ghost::project_stop,
            ghost::project_seek,
            ghost::project_preview,
            ghost::project_metronome,
            library::library_entries,
            library::jobs_list,
            library::job_cancel,
            lyrics::lyrics_models,
            lyrics::lyrics_check,
            lyrics::lyrics_write,
            lyrics::lyrics_rewrite,
            lyrics::lyrics_tagged,
            release::release_plan,
            release::release_posts,
            release::release_edit_post,
            release::releases,
            release::release_events,
            release::release_month,
            release::release_reschedule,
            release::release_export_ics,
            release::release_import_ics,
            release::pick_ics,
            release::open_upload_page,
            visual::visual_scenes,
            visual::visual_render,
            visual::visual_play,
            visual::visual_stop,
            visual::visual_status,
            account::account_status,
            account::account_sign_in,
            account::account_logout,
            account::account_refresh,
            account::account_checkout,
            account::pool_list,
            account::pool_ranking,
            account::pool_claim,
            account::pool_like,
            voice::voice_import,
            voice::voice_transform,
            voice::voice_key,
            voice::voice_ab_gains,
            voice::voice_profiles,
            voice::voice_profile_create,
            voice::voice_profile_delete,
            voice::voice_convert,
            voice::voice_record_start,
            voice::voice_record_stop,
            voice::voice_results,
            voice::voice_export,
        ]
    };
}

/// The commands' names (the last segment of each path), for the build script and the tests.
#[allow(unused_macros)]
macro_rules! command_names {
    ($($module:ident :: $name:ident),* $(,)?) => {
        &[$(stringify!($name)),*]
    };
}
