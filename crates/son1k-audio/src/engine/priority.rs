//! Real-time priority for the device's audio thread. On Linux nothing else raises it (ALSA and
//! a sound server hand the callback a plain thread), so on a busy machine it waits behind every
//! other runnable thread and misses its deadline; the engine asks for SCHED_FIFO at a modest
//! priority (that of rtkit's ceiling, which desktop sound servers use) the first time the
//! callback runs. The kernel keeps a share of every second for other threads whatever an RT
//! thread does. Where the system refuses (no CAP_SYS_NICE, an RLIMIT_RTPRIO of 0), the thread
//! stays as it was and the engine's status says so. macOS and Windows run their audio
//! callbacks on threads the audio service already schedules as time-critical.

/// Whether to ask at all: not when `SON1K_AUDIO_REALTIME` is `0` (read on the control side,
/// when a stream opens).
pub(crate) fn wanted() -> bool {
    std::env::var_os("SON1K_AUDIO_REALTIME").is_none_or(|v| v != "0")
}

/// The SCHED_FIFO priority asked for (1–99).
#[cfg(target_os = "linux")]
const PRIORITY: u8 = 20;

/// Raises the calling thread to real-time priority: `Some(true)` when it now runs at it,
/// `Some(false)` when the system refused, `None` where the engine leaves it to the system.
/// Makes one system call and does not allocate (callable from the audio callback).
pub(crate) fn promote_current_thread() -> Option<bool> {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{
            set_thread_priority_and_policy, thread_native_id, RealtimeThreadSchedulePolicy,
            ThreadPriority, ThreadPriorityValue, ThreadSchedulePolicy,
        };
        let Ok(value) = ThreadPriorityValue::try_from(PRIORITY) else {
            return Some(false);
        };
        Some(
            set_thread_priority_and_policy(
                thread_native_id(),
                ThreadPriority::Crossplatform(value),
                ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::Fifo),
            )
            .is_ok(),
        )
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn a_thread_is_raised_or_the_refusal_is_reported_and_nothing_else_changes() {
        let got = std::thread::spawn(|| {
            let asked = promote_current_thread();
            let policy = thread_priority::thread_schedule_policy();
            (asked, policy)
        })
        .join()
        .unwrap_or((
            None,
            Err(thread_priority::Error::Ffi("the thread panicked")),
        ));
        match got {
            (Some(true), Ok(p)) => assert_eq!(
                p,
                thread_priority::ThreadSchedulePolicy::Realtime(
                    thread_priority::RealtimeThreadSchedulePolicy::Fifo
                )
            ),
            (Some(false), Ok(p)) => assert!(
                matches!(p, thread_priority::ThreadSchedulePolicy::Normal(_)),
                "refused, the thread keeps its policy: {p:?}"
            ),
            other => panic!("{other:?}"),
        }
        // The test's own thread is untouched.
        assert!(matches!(
            thread_priority::thread_schedule_policy(),
            Ok(thread_priority::ThreadSchedulePolicy::Normal(_))
        ));
    }
}
