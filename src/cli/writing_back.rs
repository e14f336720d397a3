//! Writing a large file so that its final sync is short.

/// A file being written that asks the system to start writing each [`WritingBack::STEP`]
/// to disk as soon as it is filled (`sync_file_range`, without waiting), so the closing
/// `sync_all` waits for the last step only instead of the whole file.
pub struct WritingBack {
    pub file: std::fs::File,
    written: u64,
    started: u64,
}

impl WritingBack {
    const STEP: u64 = 8 << 20;

    pub fn new(file: std::fs::File) -> WritingBack {
        WritingBack {
            file,
            written: 0,
            started: 0,
        }
    }
}

impl std::io::Write for WritingBack {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= Self::STEP {
            use std::os::fd::AsRawFd;
            // Only a hint: where the system refuses, the closing sync writes it all.
            // SAFETY: the descriptor is this open file's; the range lies within it.
            unsafe {
                libc::sync_file_range(
                    self.file.as_raw_fd(),
                    self.started as libc::off64_t,
                    (self.written - self.started) as libc::off64_t,
                    libc::SYNC_FILE_RANGE_WRITE,
                );
            }
            self.started = self.written;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Seek, Write};

    #[test]
    fn every_byte_lands_in_order_across_many_steps() {
        let file = tempfile::tempfile().unwrap();
        let mut w = WritingBack::new(file.try_clone().unwrap());
        let mut want = Vec::new();
        let mut n = 0u32;
        while want.len() < 3 * WritingBack::STEP as usize + 12_345 {
            let chunk: Vec<u8> = (0..(n % 9_000) + 1).map(|i| (i ^ n) as u8).collect();
            w.write_all(&chunk).unwrap();
            want.extend_from_slice(&chunk);
            n += 1;
        }
        w.flush().unwrap();
        assert!(
            w.started >= 3 * WritingBack::STEP,
            "writeback was asked for"
        );
        let mut file = w.file;
        file.sync_all().unwrap();
        file.rewind().unwrap();
        let mut got = Vec::new();
        file.read_to_end(&mut got).unwrap();
        assert!(got == want, "the file differs from what was written");
    }
}
