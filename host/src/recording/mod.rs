//! Recording a slot's calls (`record = true`): each hook call's input, every capability
//! answer it received and its decision, written as `plugin test` cases so that
//! `pos-host plugin test candidate.wasm --cases <recording>` replays them against another
//! version and shows each decision that differs.
//!
//! The operator's path only hands the call over (see `handoff`): pseudonymizing, formatting
//! and writing happen on the recorder's own thread, and when that thread falls behind a call
//! is dropped (and counted) rather than waited for.

mod case;
mod pseudonym;

pub use case::RecordedCall;

use crate::cases::Shown;
use crate::contract::SlotId;
use pseudonym::Pseudonyms;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Calls waiting for the recorder's thread before new ones are dropped.
const QUEUE: usize = 1024;
/// A recording file is closed and a new one started at this size, below what
/// `plugin test` reads.
pub const MAX_FILE_BYTES: u64 = crate::files::MAX_CASES_BYTES / 2;

/// What a recording keeps of the people in it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PersonalData {
    /// Every word of a name, address, contact detail or search phrase replaced by a
    /// consistent pseudonym (see the module `pseudonym`).
    #[default]
    Pseudonymized,
    /// As the plugin saw it: the policy asked for it (`record-personal-data = "full"`).
    Full,
}

impl std::fmt::Display for PersonalData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PersonalData::Pseudonymized => "pseudonymized",
            PersonalData::Full => "kept in full",
        })
    }
}

/// Where and how a slot records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordSettings {
    /// The directory of the recordings (`host.recordings`).
    pub dir: PathBuf,
    pub personal_data: PersonalData,
}

/// One hook call, as handed over by the slot.
pub struct Recorded {
    pub hook: &'static str,
    /// The hook's arguments, in the order of its parameters.
    pub inputs: Vec<Shown>,
    pub calls: Vec<RecordedCall>,
    pub answer: Shown,
    /// Who decided: the plugin's name and SHA-256, or the fallback and why.
    pub decided_by: String,
    /// For a shadow's difference: what the shadow plugin decided instead.
    pub instead: Option<Shown>,
    pub at_ms: u64,
}

tokio::task_local! {
    /// The capability calls of the hook calls made inside [`capturing`].
    static CAPTURED: RefCell<Vec<RecordedCall>>;
}

/// Runs `future`, and returns with its output the capability calls its hook calls made and
/// what they answered.
pub async fn capturing<F: Future>(future: F) -> (F::Output, Vec<RecordedCall>) {
    CAPTURED
        .scope(RefCell::new(Vec::new()), async {
            let output = future.await;
            (output, CAPTURED.with(|calls| calls.take()))
        })
        .await
}

/// Whether the running task is [`capturing`].
pub(crate) fn is_capturing() -> bool {
    CAPTURED.try_with(|_| ()).is_ok()
}

/// Keeps `calls` for the [`capturing`] the running task is in, if any.
pub(crate) fn captured(calls: Vec<RecordedCall>) {
    let _ = CAPTURED.try_with(|captured| captured.borrow_mut().extend(calls));
}

/// What the recorder's thread is handed.
enum Message {
    Call(Box<Recorded>),
    /// Answered once everything handed over before is written.
    Flush(oneshot::Sender<()>),
    /// Removes the cases that name any of these keys from the file being written; answered
    /// with how many.
    Erase(Arc<[Vec<String>]>, oneshot::Sender<std::io::Result<Vec<u64>>>),
}

/// A slot's recorder: the queue to its writing thread and what it has done.
pub struct Recorder {
    pub settings: RecordSettings,
    sender: SyncSender<Message>,
    status: Arc<Progress>,
}

#[derive(Default)]
struct Progress {
    file: Mutex<PathBuf>,
    written: AtomicU64,
    dropped: AtomicU64,
    failure: Mutex<Option<String>>,
}

/// What a slot's recorder has done, as `/api/status` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RecordingStatus {
    /// The file being written.
    #[schema(value_type = String)]
    pub file: PathBuf,
    pub personal_data: PersonalData,
    /// Calls written since the host started recording the slot.
    pub written: u64,
    /// Calls not recorded because the recorder fell behind or could not write.
    pub dropped: u64,
    /// Why the last write failed, if one did.
    pub failure: Option<String>,
}

impl Recorder {
    /// Starts recording `slot` into a new file of `settings.dir`, made readable by the host's
    /// user alone; `workstation` is named in the file's header.
    pub fn start(settings: RecordSettings, slot: SlotId, workstation: &str) -> std::io::Result<Recorder> {
        let what = format!("Calls of the {slot} slot");
        Recorder::start_as(settings, slot, slot.name().to_owned(), &what, workstation)
    }

    /// Starts recording the calls on which `slot`'s shadow plugin `shadow` decided otherwise
    /// than the live plugin, into a new file of `settings.dir`.
    pub fn start_differences(
        settings: RecordSettings,
        slot: SlotId,
        shadow: &str,
        workstation: &str,
    ) -> std::io::Result<Recorder> {
        let what = format!("Calls of the {slot} slot on which its shadow plugin {shadow} decided otherwise");
        Recorder::start_as(settings, slot, format!("{}-shadow-differences", slot.name()), &what, workstation)
    }

    fn start_as(
        settings: RecordSettings,
        slot: SlotId,
        stem: String,
        what: &str,
        workstation: &str,
    ) -> std::io::Result<Recorder> {
        let pseudonyms = (settings.personal_data == PersonalData::Pseudonymized).then(Pseudonyms::new);
        let header = case::header(what, slot, workstation, settings.personal_data, crate::runtime::now_ms());
        let file = Output::open(&settings.dir, &stem, header)?;
        let status = Arc::new(Progress::default());
        *lock(&status.file) = file.path.clone();
        let (sender, receiver) = sync_channel(QUEUE);
        let progress = status.clone();
        std::thread::Builder::new()
            .name(format!("record-{}", slot.name()))
            .spawn(move || write_all(receiver, file, pseudonyms, &progress))?;
        Ok(Recorder { settings, sender, status })
    }

    /// Hands `call` to the recorder's thread, or drops it when the thread is behind.
    pub fn record(&self, call: Recorded) {
        if let Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) =
            self.sender.try_send(Message::Call(Box::new(call)))
        {
            self.status.dropped.fetch_add(1, Relaxed);
        }
    }

    /// Removes every case that names one of a person's keys (customer number and web id;
    /// `people` lists each person's) from the file being written, on the recorder's thread,
    /// after what was handed over before; how many it removed for each person.
    pub async fn erase(&self, people: Arc<[Vec<String>]>) -> std::io::Result<Vec<u64>> {
        self.ask(|done| Message::Erase(people, done))
            .await
            .unwrap_or_else(|| Err(std::io::Error::other("the recorder stopped")))
    }

    /// Waits until every call handed over so far is written (or counted as dropped).
    pub async fn flush(&self) {
        self.ask(Message::Flush).await;
    }

    /// Hands the recorder's thread the message `ask` makes, after what was handed over
    /// before, and waits for its answer; `None` when the thread has stopped.
    async fn ask<T: Send + 'static>(&self, ask: impl FnOnce(oneshot::Sender<T>) -> Message) -> Option<T> {
        let (done, answer) = oneshot::channel();
        let (sender, message) = (self.sender.clone(), ask(done));
        // The queue may be full: waiting for room is for this caller alone, off the runtime.
        let queued = tokio::task::spawn_blocking(move || sender.send(message).is_ok()).await;
        if !queued.unwrap_or(false) {
            return None;
        }
        answer.await.ok()
    }

    pub fn status(&self) -> RecordingStatus {
        RecordingStatus {
            file: lock(&self.status.file).clone(),
            personal_data: self.settings.personal_data,
            written: self.status.written.load(Relaxed),
            dropped: self.status.dropped.load(Relaxed),
            failure: lock(&self.status.failure).clone(),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The recording file being written, started anew past [`MAX_FILE_BYTES`].
struct Output {
    path: PathBuf,
    file: File,
    size: u64,
    header: String,
    part: u32,
}

impl Output {
    fn open(dir: &Path, stem: &str, header: String) -> std::io::Result<Output> {
        crate::files::create_private_dir(dir)?;
        let stamp = crate::runtime::utc(crate::runtime::now_ms()).replace([':', '-'], "");
        let path = dir.join(format!("{stem}-{stamp}-{}.toml", std::process::id()));
        let mut output = Output { file: crate::files::create_private(&path)?, path, size: 0, header, part: 1 };
        output.write(&output.header.clone())?;
        Ok(output)
    }

    fn write(&mut self, text: &str) -> std::io::Result<()> {
        self.file.write_all(text.as_bytes())?;
        self.size += text.len() as u64;
        Ok(())
    }

    /// Removes the cases that name one of `people`'s keys from the file, which goes on from
    /// there.
    fn erase(&mut self, people: &[Vec<String>]) -> std::io::Result<Vec<u64>> {
        let (erased, size) = rewrite_without(&self.path, people)?;
        if erased.iter().any(|&count| count > 0) {
            self.file = std::fs::OpenOptions::new().append(true).open(&self.path)?;
            self.size = size;
        }
        Ok(erased)
    }

    /// Starts the next part when `next` would take the file past its size; whether it did.
    fn make_room(&mut self, next: usize) -> std::io::Result<bool> {
        if self.size + next as u64 <= MAX_FILE_BYTES || self.size == self.header.len() as u64 {
            return Ok(false);
        }
        self.part += 1;
        let stem = self.path.file_stem().and_then(|s| s.to_str()).unwrap_or("recording");
        let stem = stem.split(".part").next().unwrap_or(stem).to_owned();
        self.path.set_file_name(format!("{stem}.part{}.toml", self.part));
        self.file = crate::files::create_private(&self.path)?;
        self.size = 0;
        self.write(&self.header.clone()).map(|()| true)
    }
}

fn write_all(receiver: Receiver<Message>, mut output: Output, pseudonyms: Option<Pseudonyms>, progress: &Progress) {
    let mut number = 0u64;
    let mut taker = crate::handoff::Taker::new(receiver);
    while let Some(message) = taker.next() {
        let mut recorded = match message {
            Message::Call(recorded) => recorded,
            Message::Flush(done) => {
                let _ = done.send(());
                continue;
            }
            Message::Erase(people, done) => {
                let _ = done.send(output.erase(&people));
                continue;
            }
        };
        number += 1;
        if let Some(pseudonyms) = &pseudonyms {
            let mut values: Vec<&mut Shown> = recorded.inputs.iter_mut().collect();
            for call in &mut recorded.calls {
                values.extend([&mut call.args, &mut call.answer]);
            }
            values.push(&mut recorded.answer);
            values.extend(recorded.instead.as_mut());
            pseudonyms.apply(&mut values);
        }
        let text = case::toml(&recorded, number);
        let written = output.make_room(text.len()).and_then(|new_part| output.write(&text).map(|()| new_part));
        match written {
            Ok(new_part) => {
                progress.written.fetch_add(1, Relaxed);
                if new_part {
                    *lock(&progress.file) = output.path.clone();
                }
            }
            Err(error) => {
                progress.dropped.fetch_add(1, Relaxed);
                let described = format!("{}: {error}", output.path.display());
                if lock(&progress.failure).replace(described.clone()).is_none() {
                    tracing::warn!("cannot write the recording {described}; calls go unrecorded");
                }
            }
        }
    }
}

/// Removes the recording files of `dir` last written before `before` (milliseconds since the
/// Unix epoch), except those in `writing`; how many it removed. Only what a recorder names
/// is touched: `<slot>-….toml` files, regular and not links.
pub fn remove_older(dir: &Path, before: u64, writing: &[PathBuf]) -> std::io::Result<u64> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let before = std::time::UNIX_EPOCH + std::time::Duration::from_millis(before);
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let recorded =
            SlotId::ALL.iter().any(|slot| name.starts_with(&format!("{}-", slot.name()))) && name.ends_with(".toml");
        let metadata = entry.metadata()?;
        if !recorded || !metadata.file_type().is_file() || writing.contains(&path) {
            continue;
        }
        if metadata.modified()? < before {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Removes every case that names one of a person's keys (customer number and web id, as
/// TOML strings; `people` lists each person's) from the recordings of `dir` that no
/// recorder writes now (the recorders erase their own, [`Recorder::erase`]); how many
/// cases it removed for each person.
pub fn erase_cases(dir: &Path, people: &[Vec<String>], writing: &[PathBuf]) -> std::io::Result<Vec<u64>> {
    let mut erased = vec![0; people.len()];
    for path in recording_files(dir)?.into_iter().filter(|path| !writing.contains(path)) {
        for (total, count) in erased.iter_mut().zip(rewrite_without(&path, people)?.0) {
            *total += count;
        }
    }
    Ok(erased)
}

/// The recording files of `dir`: `<slot>-….toml`, regular files, not links.
fn recording_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let recorded =
            SlotId::ALL.iter().any(|slot| name.starts_with(&format!("{}-", slot.name()))) && name.ends_with(".toml");
        if recorded && entry.file_type()?.is_file() {
            files.push(entry.path());
        }
    }
    Ok(files)
}

/// Rewrites the recording `path` without the cases that name one of a person's keys,
/// through a new file renamed over it (a kill leaves the old file or the new one); how many
/// it removed for each person of `people` (a case naming two is counted for the first), and
/// the new size. A recording's cases are separated by blank lines, which no case holds.
fn rewrite_without(path: &Path, people: &[Vec<String>]) -> std::io::Result<(Vec<u64>, u64)> {
    let text = crate::files::read_text(path, crate::files::MAX_CASES_BYTES)
        .map_err(|error| std::io::Error::other(format!("{}: {error}", path.display())))?;
    let quoted: Vec<Vec<String>> =
        people.iter().map(|keys| keys.iter().map(|key| crate::cases::node::quote(key)).collect()).collect();
    let mut kept = String::with_capacity(text.len());
    let mut erased = vec![0; people.len()];
    for block in text.split_inclusive("\n\n") {
        let named = block
            .contains("[[case]]")
            .then(|| quoted.iter().position(|keys| keys.iter().any(|key| block.contains(key.as_str()))))
            .flatten();
        match named {
            Some(person) => erased[person] += 1,
            None => kept.push_str(block),
        }
    }
    if erased.iter().all(|&count| count == 0) {
        return Ok((erased, text.len() as u64));
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".erasing");
    let new = PathBuf::from(name);
    let _ = std::fs::remove_file(&new);
    let mut file = crate::files::create_private(&new)?;
    file.write_all(kept.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&new, path)?;
    crate::files::sync_parent(path)?;
    Ok((erased, kept.len() as u64))
}
