//! The documentation of each diagnostic code as files on disk, for the
//! `codeDescription.href` of diagnostics: an editor opens the link, so it must point
//! at something that exists. The pages are the ones `falco-rulec explain` prints
//! (`docs/codes/<CODE>.md`, embedded in the binary); the server writes them once per
//! process under the user's cache folder, and a code without a page, or a machine
//! where nothing can be written, gets no link.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use falco_diagnostics::Code;
use tower_lsp_server::ls_types::Uri;

/// The folder holding the pages, once written (`None` when they could not be).
fn folder() -> Option<&'static Path> {
    static FOLDER: OnceLock<Option<PathBuf>> = OnceLock::new();
    FOLDER.get_or_init(write_pages).as_deref()
}

/// `$XDG_CACHE_HOME/falco-rules-lsp/<version>/codes`, else `~/.cache/…`, else the
/// temporary folder; the version keeps pages of different builds apart.
fn cache_folder() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("falco-rules-lsp")
        .join(env!("CARGO_PKG_VERSION"))
        .join("codes")
}

fn write_pages() -> Option<PathBuf> {
    let folder = cache_folder();
    std::fs::create_dir_all(&folder).ok()?;
    for code in Code::ALL {
        let Some(page) = code.doc() else {
            continue;
        };
        let path = folder.join(format!("{}.md", code.as_str()));
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() != Some(page) {
            std::fs::write(&path, page).ok()?;
        }
    }
    Some(folder)
}

/// The link to a code's page, if it has one and it is on disk.
pub fn href(code: Code) -> Option<Uri> {
    code.doc()?;
    let path = folder()?.join(format!("{}.md", code.as_str()));
    Uri::from_file_path(&path)
}

#[cfg(test)]
mod tests {
    use falco_diagnostics::Code;

    use super::href;

    /// Every code with documentation links to a file holding exactly that page.
    #[test]
    fn links_point_at_the_pages() {
        let mut linked = 0;
        for code in Code::ALL {
            let Some(uri) = href(*code) else {
                assert!(code.doc().is_none(), "{code:?} has a page but no link");
                continue;
            };
            let path = uri.to_file_path().expect("a file URI");
            let page = std::fs::read_to_string(&path).expect("the linked page exists");
            assert_eq!(Some(page.as_str()), code.doc());
            linked += 1;
        }
        assert!(linked > 20, "only {linked} codes are linked");
    }
}
