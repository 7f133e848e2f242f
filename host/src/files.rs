//! Reading the files the host is given (policies, plugins, signatures, cases, cache entries):
//! only regular files, and only up to a size limit, so that a path naming a device, a pipe
//! or a 2 GB file is refused with the reason instead of hanging the host or exhausting its
//! memory. A [`Location`] names a place in such a file.

use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The largest policy file read.
pub const MAX_POLICY_BYTES: u64 = 1 << 20;
/// The largest plugin component read.
pub const MAX_PLUGIN_BYTES: u64 = 128 << 20;
/// The largest `plugin test` cases file read.
pub const MAX_CASES_BYTES: u64 = 16 << 20;
/// The largest signature or key file read.
pub const MAX_SMALL_FILE_BYTES: u64 = 16 << 10;

/// Why a file was not read.
#[derive(Debug)]
pub enum FileError {
    Io(std::io::Error),
    /// Not a regular file: a directory, a device, a pipe or a socket.
    NotRegular(&'static str),
    TooLarge {
        size: u64,
        limit: u64,
    },
    NotUtf8,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Io(error) => write!(f, "{error}"),
            FileError::NotRegular(kind) => write!(f, "not a regular file (it is {kind})"),
            FileError::TooLarge { size, limit } => {
                write!(f, "the file holds {}, more than the {} allowed", bytes(*size), bytes(*limit))
            }
            FileError::NotUtf8 => f.write_str("the file is not UTF-8 text"),
        }
    }
}

impl std::error::Error for FileError {}

impl From<std::io::Error> for FileError {
    fn from(error: std::io::Error) -> FileError {
        FileError::Io(error)
    }
}

impl FileError {
    /// Whether the file is missing, as opposed to unreadable.
    pub fn not_found(&self) -> bool {
        matches!(self, FileError::Io(error) if error.kind() == std::io::ErrorKind::NotFound)
    }
}

/// `1.5 MiB`, `120 KiB`, `312 bytes`.
fn bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / f64::from(1 << 20)),
        n if n >= 1 << 10 => format!("{:.1} KiB", n as f64 / f64::from(1 << 10)),
        n => format!("{n} bytes"),
    }
}

/// Whether `path` names a regular file of at most `limit` bytes, without reading it.
pub fn check(path: &Path, limit: u64) -> Result<(), FileError> {
    let metadata = std::fs::metadata(path)?;
    let kind = kind(&metadata.file_type());
    if kind != "a regular file" {
        return Err(FileError::NotRegular(kind));
    }
    if metadata.len() > limit {
        return Err(FileError::TooLarge { size: metadata.len(), limit });
    }
    Ok(())
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let mut file = open(path)?;
    let metadata = file.metadata()?;
    let kind = kind(&metadata.file_type());
    if kind != "a regular file" {
        return Err(FileError::NotRegular(kind));
    }
    if metadata.len() > limit {
        return Err(FileError::TooLarge { size: metadata.len(), limit });
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // The file may grow between the check and the read: read one byte more than allowed to
    // tell, never more.
    (&mut file).take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(bytes)
}

/// The text of the regular file at `path`, at most `limit` bytes of UTF-8.
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    String::from_utf8(read(path, limit)?).map_err(|_| FileError::NotUtf8)
}

/// [`read`] on tokio's blocking threads.
pub async fn read_async(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || read(&path, limit))
        .await
        .map_err(|error| FileError::Io(std::io::Error::other(error)))?
}

/// Creates `dir` (and its parents) readable by the host's user alone, or checks that it is
/// a directory.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Creates the new file `path` for appending, readable by the host's user alone; an
/// existing file (or a link planted in its place) is an error, never overwritten.
pub fn create_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Makes the last rename or creation of a file in `path`'s directory durable.
pub fn sync_parent(path: &Path) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::File::open(dir)?.sync_all()
}

/// Opens without waiting: opening a named pipe for reading would otherwise block until a
/// writer comes.
pub(crate) fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    options.open(path)
}

fn kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_large_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(dir.path(), 10).unwrap_err().to_string(), "not a regular file (it is a directory)");
        #[cfg(unix)]
        assert_eq!(
            read(Path::new("/dev/zero"), 10).unwrap_err().to_string(),
            "not a regular file (it is a character device)"
        );
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 3000]).unwrap();
        assert_eq!(read(&big, 2048).unwrap_err().to_string(), "the file holds 2.9 KiB, more than the 2.0 KiB allowed");
        assert_eq!(read(&big, 3000).unwrap().len(), 3000);
        assert!(read(&dir.path().join("missing"), 10).unwrap_err().not_found());
        std::fs::write(&big, [0xff, 0xfe]).unwrap();
        assert_eq!(read_text(&big, 10).unwrap_err().to_string(), "the file is not UTF-8 text");
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
        assert_eq!(read(&fifo, 10).unwrap_err().to_string(), "not a regular file (it is a named pipe)");
    }
}

/// A place in a file the user wrote (a policy, a cases file); line and column count from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line_col: Option<(usize, usize)>,
}

impl Location {
    /// The file as a whole.
    pub fn file(path: &Path) -> Location {
        Location { path: path.to_owned(), line_col: None }
    }

    /// The start of `span` in `text`.
    pub fn of_span(path: &Path, text: &str, span: Option<Range<usize>>) -> Location {
        Location { path: path.to_owned(), line_col: span.map(|span| line_col(text, &line_starts(text), span.start)) }
    }
}

/// The offsets at which the lines of `text` start.
pub(crate) fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect()
}

/// Line and column (in characters) of byte `offset`, with the line starts of `text`.
pub(crate) fn line_col(text: &str, starts: &[usize], offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = starts.partition_point(|start| *start <= offset);
    let start = starts[line - 1];
    (line, text[start..offset].chars().count() + 1)
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line_col {
            Some((line, column)) => write!(f, "{}:{line}:{column}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}
