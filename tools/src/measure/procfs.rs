//! What a process costs, read from Linux's `/proc`: resident memory and threads, context
//! switches, CPU time. Also the facts about the machine that every published figure must state.
//!
//! `/proc/<pid>/status` is a text file of `Name:\tvalue` lines. Three of them matter here:
//! `VmRSS` (resident memory now), `VmHWM` (the "high water mark": the most resident memory
//! the process has ever had) and `Threads`. Each thread has one too, in
//! `/proc/<pid>/task/<tid>/status`, whose `voluntary_ctxt_switches` and
//! `nonvoluntary_ctxt_switches` count how often that thread left the CPU. `/proc/<pid>/stat` is
//! one line of numbers, among them the CPU time the process and its reaped children have used.

use std::fs;
use std::io;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

/// A process's memory and threads at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Status {
    /// Resident memory now (`VmRSS`), in KiB.
    pub rss_kib: u64,
    /// The most resident memory the process has had since it started (`VmHWM`), in KiB.
    pub peak_rss_kib: u64,
    /// Threads in the process now.
    pub threads: u64,
}

/// Parses the text of `/proc/<pid>/status`; `None` if a field is missing (not Linux, or a
/// process that has already become a zombie and lost its memory fields).
pub fn parse_status(text: &str) -> Option<Status> {
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|line| line.starts_with(name))?;
        let value = line[name.len()..].trim_start_matches(':').trim();
        // Memory lines end in " kB"; Threads is a bare number.
        value.split_whitespace().next()?.parse().ok()
    };
    Some(Status {
        rss_kib: field("VmRSS:")?,
        peak_rss_kib: field("VmHWM:")?,
        threads: field("Threads:")?,
    })
}

/// Reads process `pid`'s current [`Status`].
pub fn status(pid: u32) -> io::Result<Status> {
    let text = fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_status(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("/proc/{pid}/status lacks VmRSS, VmHWM or Threads"),
        )
    })
}

/// Watches a process on a thread of its own during a load run, keeping the peaks.
///
/// `VmHWM` already keeps the peak of memory, but nothing keeps the peak of threads: a
/// thread-per-connection server's threads come and go with its clients, so the sampler looks
/// every few milliseconds and remembers the most it saw.
pub struct Sampler {
    stop: Sender<()>,
    handle: JoinHandle<Status>,
}

impl Sampler {
    /// Starts sampling process `pid` every `every`.
    pub fn start(pid: u32, every: Duration) -> Sampler {
        let (stop, stopped): (Sender<()>, Receiver<()>) = crossbeam_channel::bounded(1);
        let handle = thread::spawn(move || {
            let mut peak = Status::default();
            loop {
                if let Ok(now) = status(pid) {
                    peak.rss_kib = peak.rss_kib.max(now.rss_kib);
                    peak.peak_rss_kib = peak.peak_rss_kib.max(now.peak_rss_kib);
                    peak.threads = peak.threads.max(now.threads);
                }
                // The channel is both the tick and the stop signal.
                match stopped.recv_timeout(every) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => return peak,
                }
            }
        });
        Sampler { stop, handle }
    }

    /// Takes a last sample and returns the peaks: the most `VmRSS`, `VmHWM` and `Threads` seen.
    pub fn finish(self) -> Status {
        let _ = self.stop.send(());
        self.handle.join().unwrap_or_default()
    }
}

/// Samples `pid` every `every` until its status has not changed for `quiet` samples in a row
/// (the server has finished reacting to what was done to it), or `limit` has passed; returns
/// the last status read.
///
/// Used after opening idle connections: a thread-per-connection server spawns its threads
/// some time after the connects return, and the figure should include them.
pub fn settle(pid: u32, every: Duration, quiet: usize, limit: Duration) -> io::Result<Status> {
    let deadline = Instant::now() + limit;
    let mut last = status(pid)?;
    let mut unchanged = 0;
    while unchanged < quiet && Instant::now() < deadline {
        // Pacing a poll of /proc; nothing else can tell us the server is done.
        thread::sleep(every);
        let now = status(pid)?;
        if (now.rss_kib, now.threads) == (last.rss_kib, last.threads) {
            unchanged += 1;
        } else {
            unchanged = 0;
        }
        last = now;
    }
    Ok(last)
}

/// How often a process's threads have left the CPU: because they waited for something (a
/// socket, a lock, a queue: *voluntary*), or because the scheduler took the CPU away while
/// they could still run (*involuntary*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Switches {
    /// `voluntary_ctxt_switches`, summed.
    pub voluntary: u64,
    /// `nonvoluntary_ctxt_switches`, summed.
    pub involuntary: u64,
}

impl Switches {
    /// The switches since `earlier`, field by field (0 where a count went down).
    pub fn since(self, earlier: Switches) -> Switches {
        Switches {
            voluntary: self.voluntary.saturating_sub(earlier.voluntary),
            involuntary: self.involuntary.saturating_sub(earlier.involuntary),
        }
    }

    fn add(&mut self, other: Switches) {
        self.voluntary += other.voluntary;
        self.involuntary += other.involuntary;
    }
}

/// Each live thread's context switches at one moment, by thread id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadSwitches {
    threads: Vec<(u64, Switches)>,
}

impl ThreadSwitches {
    /// A snapshot of the given threads' counts.
    pub fn new(threads: Vec<(u64, Switches)>) -> ThreadSwitches {
        ThreadSwitches { threads }
    }

    /// The sum over the threads.
    pub fn total(&self) -> Switches {
        let mut total = Switches::default();
        for (_, one) in &self.threads {
            total.add(*one);
        }
        total
    }

    /// The switches between `earlier` and this snapshot, thread by thread: a thread born in
    /// between counts from zero; a thread that exited in between is not counted at all
    /// (its counts went with it), so the sum is a lower bound when threads come and go.
    /// Comparing sums instead would let one exited thread cancel the others' switches.
    pub fn since(&self, earlier: &ThreadSwitches) -> Switches {
        let mut total = Switches::default();
        for (tid, now) in &self.threads {
            let before = earlier
                .threads
                .iter()
                .find(|(old, _)| old == tid)
                .map_or_else(Switches::default, |(_, before)| *before);
            total.add(now.since(before));
        }
        total
    }
}

/// The context switches in the text of one thread's `status` file; `None` if it lacks them.
pub fn parse_switches(text: &str) -> Option<Switches> {
    let field = |name: &str| -> Option<u64> {
        let line = text.lines().find(|line| line.starts_with(name))?;
        line[name.len()..].trim().parse().ok()
    };
    Some(Switches {
        voluntary: field("voluntary_ctxt_switches:")?,
        involuntary: field("nonvoluntary_ctxt_switches:")?,
    })
}

/// Process `pid`'s context switches so far, thread by thread. Linux counts them per thread
/// (the process's own `status` file shows only its main thread's), in
/// `/proc/<pid>/task/<tid>/status`.
pub fn switches(pid: u32) -> io::Result<ThreadSwitches> {
    let mut threads = Vec::new();
    for task in fs::read_dir(format!("/proc/{pid}/task"))? {
        let task = task?;
        let Some(tid) = task.file_name().to_str().and_then(|tid| tid.parse().ok()) else {
            continue;
        };
        // A thread can exit between the listing and the read: it is simply not counted.
        let Ok(text) = fs::read_to_string(task.path().join("status")) else {
            continue;
        };
        if let Some(one) = parse_switches(&text) {
            threads.push((tid, one));
        }
    }
    Ok(ThreadSwitches::new(threads))
}

/// CPU time from a `/proc/<pid>/stat` line, in clock ticks ([`TICKS_PER_SECOND`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CpuTicks {
    /// The process's own time in user mode and in the kernel (`utime` + `stime`), all threads.
    pub own: u64,
    /// The same for its children that have exited and been waited for (`cutime` + `cstime`).
    pub children: u64,
}

/// The clock ticks per second of `/proc/<pid>/stat`'s times: Linux's `USER_HZ`, which is 100 on
/// every architecture Rust targets (asking would take `sysconf`, a call std does not wrap).
pub const TICKS_PER_SECOND: u64 = 100;

impl CpuTicks {
    /// `ticks` as seconds.
    pub fn seconds(ticks: u64) -> f64 {
        ticks as f64 / TICKS_PER_SECOND as f64
    }
}

/// Parses the text of `/proc/<pid>/stat`. The second field is the program's name in
/// parentheses, which may itself hold spaces and parentheses, so the fields are counted from
/// the last `)`: `utime` is the 14th field of the line, `cstime` the 17th.
pub fn parse_cpu(stat: &str) -> Option<CpuTicks> {
    let (_, rest) = stat.rsplit_once(')')?;
    // `rest` starts at the third field (the state).
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> Option<u64> { fields.get(n - 3)?.parse().ok() };
    Some(CpuTicks {
        own: field(14)? + field(15)?,
        children: field(16)? + field(17)?,
    })
}

/// Process `pid`'s CPU time so far (`"self"` is this process).
pub fn cpu(pid: &str) -> io::Result<CpuTicks> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    parse_cpu(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("/proc/{pid}/stat has no CPU times"),
        )
    })
}

/// This process's soft limit on open files, from `/proc/self/limits` (chapter 12 holds
/// thousands of connections). Raising it takes a system call std does not wrap; `ulimit -n`
/// in the shell does it without `unsafe`.
pub fn open_files_limit() -> Option<usize> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    open_files_in(&limits)
}

/// The soft `Max open files` in the text of a `/proc/<pid>/limits` file.
fn open_files_in(limits: &str) -> Option<usize> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The machine a figure was measured on, as the book states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// CPUs this process may run on.
    pub cpus: usize,
    /// The CPU's model name from `/proc/cpuinfo`, or `unknown CPU`.
    pub cpu_model: String,
    /// The kernel release from `/proc/sys/kernel/osrelease`, or `unknown kernel`.
    pub kernel: String,
}

impl Machine {
    /// Reads the facts about this machine, falling back to `unknown` for any it cannot read.
    pub fn current() -> Machine {
        let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        Machine {
            cpus: thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown CPU".into()),
            kernel: fs::read_to_string("/proc/sys/kernel/osrelease")
                .map(|s| format!("Linux {}", s.trim()))
                .unwrap_or_else(|_| "unknown kernel".into()),
        }
    }
}

/// The first `model name` in the text of `/proc/cpuinfo`.
fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.trim().to_string())
        .filter(|model| !model.is_empty())
}

#[cfg(test)]
mod tests {
    #[test]
    fn open_files_is_the_soft_limit() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max processes             63704                63704                processes \n\
                      Max open files            1024                 1048576              files     \n";
        assert_eq!(super::open_files_in(limits), Some(1024));
        assert_eq!(super::open_files_in("Max processes 1 1 processes\n"), None);
        assert!(super::open_files_limit().is_some_and(|n| n > 0));
    }

    use super::*;

    const STATUS: &str = "Name:\tch03_thread_per\nUmask:\t0022\nState:\tS (sleeping)\n\
        VmPeak:\t  219440 kB\nVmHWM:\t    4212 kB\nVmRSS:\t    3980 kB\nThreads:\t7\n";

    #[test]
    fn parses_memory_and_threads() {
        assert_eq!(
            parse_status(STATUS),
            Some(Status {
                rss_kib: 3980,
                peak_rss_kib: 4212,
                threads: 7
            })
        );
    }

    #[test]
    fn a_status_without_memory_is_none() {
        // A zombie's status has no Vm lines.
        assert_eq!(
            parse_status("Name:\tx\nState:\tZ (zombie)\nThreads:\t1\n"),
            None
        );
    }

    #[test]
    fn reads_this_process() {
        let me = status(std::process::id()).unwrap();
        assert!(me.threads >= 1);
        assert!(me.peak_rss_kib >= me.rss_kib && me.rss_kib > 0, "{me:?}");
        let settled = settle(
            std::process::id(),
            Duration::from_millis(1),
            1,
            Duration::from_secs(1),
        )
        .unwrap();
        assert!(settled.threads >= 1);
    }

    #[test]
    fn sampler_keeps_the_peak_of_threads() {
        let sampler = Sampler::start(std::process::id(), Duration::from_millis(1));
        // The sampler's own thread is alive while it samples, so it sees at least two.
        let peak = sampler.finish();
        assert!(peak.threads >= 2, "{peak:?}");
        assert!(peak.peak_rss_kib > 0);
    }

    #[test]
    fn switches_are_read_per_thread_and_summed() {
        let text = "Name:\tweft\nThreads:\t1\nvoluntary_ctxt_switches:\t150\n\
                    nonvoluntary_ctxt_switches:\t7\n";
        let one = parse_switches(text).unwrap();
        assert_eq!(
            one,
            Switches {
                voluntary: 150,
                involuntary: 7
            }
        );
        assert_eq!(parse_switches("Name:\tx\n"), None);
        let fewer = Switches {
            voluntary: 200,
            involuntary: 3,
        };
        assert_eq!(
            fewer.since(one),
            Switches {
                voluntary: 50,
                involuntary: 0
            }
        );
        // This process has the test harness's threads; their sum is at least the main one's.
        let main = parse_switches(&fs::read_to_string("/proc/self/status").unwrap()).unwrap();
        let all = switches(std::process::id()).unwrap().total();
        assert!(all.voluntary >= main.voluntary, "{all:?} vs {main:?}");
    }

    #[test]
    fn switches_since_go_thread_by_thread() {
        let at = |v, i| Switches {
            voluntary: v,
            involuntary: i,
        };
        let before = ThreadSwitches::new(vec![(1, at(10, 1)), (2, at(500, 50)), (3, at(7, 0))]);
        // Thread 2 exited, thread 4 was born, threads 1 and 3 went on.
        let after = ThreadSwitches::new(vec![(1, at(15, 2)), (3, at(9, 0)), (4, at(4, 1))]);
        assert_eq!(after.since(&before), at(5 + 2 + 4, 1 + 1));
        // The sums would say nothing happened: thread 2's exit outweighs the rest.
        assert_eq!(after.total().since(before.total()), at(0, 0));
    }

    #[test]
    fn cpu_times_are_counted_from_the_last_parenthesis() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
        // utime stime cutime cstime ...
        let cases = [
            (
                "42 (weft) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 65 0 1",
                Some((300, 10)),
            ),
            (
                "42 (a (b) c) R 1 42 42 0 -1 0 0 0 0 0 1 2 3 4 20 0 1 0 1",
                Some((3, 7)),
            ),
            ("42 (weft) S 1 42", None),
            ("garbage", None),
        ];
        for (line, expected) in cases {
            let got = parse_cpu(line).map(|t| (t.own, t.children));
            assert_eq!(got, expected, "{line}");
        }
        assert!(cpu("self").is_ok());
        assert_eq!(CpuTicks::seconds(150), 1.5);
    }

    #[test]
    fn cpu_model_table() {
        let cases = [
            (
                "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n",
                Some("AMD EPYC 7B13"),
            ),
            ("processor\t: 0\nBogoMIPS\t: 50.00\n", None),
            ("model name\t:\n", None),
        ];
        for (text, expected) in cases {
            assert_eq!(cpu_model(text).as_deref(), expected, "{text:?}");
        }
        let machine = Machine::current();
        assert!(machine.cpus >= 1);
    }
}
