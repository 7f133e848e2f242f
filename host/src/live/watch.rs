//! Watching the policy and plugin files. The directories holding them are watched, not the
//! files, because editors and build tools replace a file by renaming a new one over it.
//! A burst of events (a save, a build writing a component in pieces) becomes one reload.

use super::LiveHost;
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// A reload starts once no event came for this long...
const QUIET: Duration = Duration::from_millis(100);
/// ...or this long after the first event, for files that keep changing.
const MAX_WAIT: Duration = Duration::from_millis(1000);

/// Reloads `host` whenever its files change, until dropped.
pub struct Watching {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LiveHost {
    /// Starts watching the policy's files and plugins; must be called within a tokio runtime.
    pub fn watch(self: &Arc<Self>) -> notify::Result<Watching> {
        let (sender, mut events) = mpsc::unbounded_channel::<Vec<PathBuf>>();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            // Reads (the host's own, when it loads a file) are no change.
            if let Ok(event) = event
                && !matches!(event.kind, EventKind::Access(_))
            {
                let _ = sender.send(event.paths);
            }
        })?;
        let mut watched = Watched::default();
        watched.update(&mut watcher, self.files())?;
        let host = self.clone();
        let task = tokio::spawn(async move {
            // The watcher lives as long as the task.
            let mut watcher = watcher;
            while let Some(paths) = events.recv().await {
                let mut changed = watched.relevant(paths);
                if changed.is_empty() {
                    continue;
                }
                let deadline = Instant::now() + MAX_WAIT;
                loop {
                    let wait = QUIET.min(deadline.saturating_duration_since(Instant::now()));
                    match tokio::time::timeout(wait, events.recv()).await {
                        Ok(Some(paths)) => changed.extend(watched.relevant(paths)),
                        Ok(None) => return,
                        Err(_) => break,
                    }
                    if Instant::now() >= deadline {
                        break;
                    }
                }
                host.reload(changed.into_iter().collect()).await;
                if let Err(error) = watched.update(&mut watcher, host.files()) {
                    tracing::warn!("cannot watch the policy's files any more: {error}");
                }
            }
        });
        Ok(Watching { task })
    }
}

/// The files that matter, and the directories watched for them.
#[derive(Default)]
struct Watched {
    files: BTreeSet<PathBuf>,
    directories: BTreeSet<PathBuf>,
}

impl Watched {
    fn update(&mut self, watcher: &mut RecommendedWatcher, files: Vec<PathBuf>) -> notify::Result<()> {
        self.files = files.iter().map(|file| absolute(file)).collect();
        let directories: BTreeSet<PathBuf> =
            self.files.iter().filter_map(|f| f.parent().map(Path::to_path_buf)).filter(|d| d.is_dir()).collect();
        for gone in self.directories.difference(&directories) {
            let _ = watcher.unwatch(gone);
        }
        for new in directories.difference(&self.directories) {
            watcher.watch(new, RecursiveMode::NonRecursive)?;
        }
        self.directories = directories;
        Ok(())
    }

    fn relevant(&self, paths: Vec<PathBuf>) -> BTreeSet<PathBuf> {
        paths.into_iter().map(|p| absolute(&p)).filter(|p| self.files.contains(p)).collect()
    }
}

/// `path` made absolute with its directory's real path, so that the paths of events and
/// of the policy compare equal whatever way they were written.
fn absolute(path: &Path) -> PathBuf {
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { return path.to_owned() };
    let parent = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
    parent.canonicalize().map_or_else(|_| path.to_owned(), |dir| dir.join(name))
}
