//! Who is acting: the operating-system login of this process (the SSH user on a jump host).
//!
//! Read from the password database by uid, never from `$USER`, a flag or the config, so the
//! audit log names the account that really ran the command.

use std::ffi::CStr;

use anyhow::{Result, bail};

pub fn current_login() -> Result<String> {
    // SAFETY: getpwuid_r writes into the buffers we own and pass with their sizes; the returned
    // pointer, when non-null, points into `pwd`/`buf`, which outlive its use here.
    unsafe {
        let uid = libc::geteuid();
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut buf = vec![0 as libc::c_char; 16 * 1024];
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut result);
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            bail!("cannot find the login name of uid {uid} in the password database");
        }
        Ok(CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_a_login() {
        let login = super::current_login().unwrap();
        assert!(!login.is_empty());
        assert!(!login.contains(char::is_whitespace));
    }
}
