//! Starts the real test OpenID Provider (`tests/provider/provider.mjs`, panva oidc-provider 9.x
//! on Node) on 127.0.0.1 with an ephemeral port.
//!
//! Uses `std::process` (not tokio's) so one provider can be shared by tests that each run their
//! own tokio runtime. The child's stdin is a pipe we keep open: when the test binary exits (even
//! when killed) the pipe closes and the provider exits by itself; it also stops after a maximum
//! lifetime (15 min by default).

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

const READY_TIMEOUT: Duration = Duration::from_secs(20);
const NPM_LOCK_WAIT: Duration = Duration::from_secs(300);
const NPM_LOCK_STALE: Duration = Duration::from_secs(180);
const STDERR_CAP: usize = 64 * 1024;

/// A running test provider. Killed on drop.
pub struct TestProvider {
    /// The issuer identifier, e.g. `http://127.0.0.1:41234` or `http://127.0.0.1:41234/oidc`
    /// (no trailing slash). Every endpoint lives under it.
    pub issuer: String,
    /// `http://127.0.0.1:<port>` (no mount path).
    pub origin: String,
    /// The TCP port the provider listens on.
    pub port: u16,
    /// The mount path (`""` or e.g. `"/oidc"`).
    pub mount: String,
    child: Mutex<Child>,
    // Kept open on purpose: closing it tells the provider to exit.
    _stdin: Mutex<Option<ChildStdin>>,
    stderr: Arc<Mutex<String>>,
}

impl std::fmt::Debug for TestProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestProvider")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl TestProvider {
    /// Starts a fresh provider with the issuer at the root of an ephemeral port.
    /// Panics (loudly) if Node is missing or the provider does not become ready.
    pub fn start() -> TestProvider {
        Self::spawn("", &[])
    }

    /// Starts a fresh provider (issuer at the root) with extra environment variables for
    /// `provider.mjs`, e.g. `TestProvider::start_with_env(&[("OP_DPOP_NONCE", "required")])`
    /// (every DPoP proof must then carry a server nonce). See the `Env:` list in the header of
    /// `tests/provider/provider.mjs`. Use [`TestProvider::start_with_mount`] for `OP_MOUNT`.
    pub fn start_with_env(env: &[(&str, &str)]) -> TestProvider {
        for (name, _) in env {
            assert!(
                !matches!(*name, "OP_MOUNT" | "OP_PORT"),
                "start_with_env: {name} is managed by the harness (use start_with_mount for a mount)"
            );
        }
        Self::spawn("", env)
    }

    /// One provider per set of extra environment variables per test binary, started on first
    /// use and never dropped (like [`shared`] / [`shared_with_mount`]), e.g.
    /// `TestProvider::shared_with_env(&[("OP_DPOP_NONCE", "required")])`. The order of `env`
    /// does not matter. (An associated function so that `support::TestProvider` reaches it.)
    pub fn shared_with_env(env: &[(&str, &str)]) -> &'static TestProvider {
        type ByEnv = HashMap<Vec<(String, String)>, &'static TestProvider>;
        static WITH_ENV: OnceLock<Mutex<ByEnv>> = OnceLock::new();
        let mut key: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        key.sort();
        let map = WITH_ENV.get_or_init(|| Mutex::new(HashMap::new()));
        let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key)
            .or_insert_with(|| Box::leak(Box::new(TestProvider::start_with_env(env))))
    }

    /// Starts a fresh provider mounted under `mount` (e.g. `"/oidc"`): the issuer becomes
    /// `http://127.0.0.1:<port>/oidc`, requests outside the prefix get 404.
    pub fn start_with_mount(mount: &str) -> TestProvider {
        assert!(
            mount.starts_with('/') && mount.len() > 1,
            "mount must look like \"/oidc\", got {mount:?}"
        );
        Self::spawn(mount.trim_end_matches('/'), &[])
    }

    /// `issuer` + `path` (`path` starts with `/`), e.g. `p.url("/token")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.issuer, path)
    }

    /// `<issuer>/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        self.url("/.well-known/openid-configuration")
    }

    /// What the provider printed on stderr so far (capped), for diagnostics.
    pub fn stderr_log(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn spawn(mount: &str, env: &[(&str, &str)]) -> TestProvider {
        let dir = provider_dir();
        let node = node_binary();
        ensure_node_modules(&dir);

        let max_lifetime =
            std::env::var("TYPED_OIDC_OP_MAX_LIFETIME_SECS").unwrap_or_else(|_| "900".into());
        let mut command = Command::new(&node);
        command
            .arg("provider.mjs")
            .arg("0")
            .current_dir(&dir)
            .env("OP_MOUNT", mount)
            .env("OP_MAX_LIFETIME_SECS", max_lifetime)
            // Behaviour switches come only from `env` (never from the test process's own
            // environment), so `shared()` always gets the default provider.
            .env_remove("OP_DPOP_NONCE")
            .env_remove("OP_BACKCHANNEL_URI");
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "\n\n*** typed-oidc tests: could not spawn `{node} provider.mjs` in {}: {e}\n",
                    dir.display()
                )
            });

        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("child stdout is piped");
        let stderr_pipe = child.stderr.take().expect("child stderr is piped");

        // Collect stderr (capped) for failure messages; echo it if asked to.
        let stderr = Arc::new(Mutex::new(String::new()));
        let echo = std::env::var_os("TYPED_OIDC_OP_LOG").is_some();
        let stderr_thread = {
            let stderr = Arc::clone(&stderr);
            thread::spawn(move || {
                let mut reader = BufReader::new(stderr_pipe);
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                    if echo {
                        eprint!("[test-op] {line}");
                    }
                    if let Ok(mut s) = stderr.lock()
                        && s.len() < STDERR_CAP
                    {
                        s.push_str(&line);
                    }
                    line.clear();
                }
            })
        };

        // Read stdout until READY, then keep draining it so the pipe never fills.
        let (tx, rx) = mpsc::channel::<String>();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let mut tx = Some(tx);
            while reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
                if let Some(sender) = &tx
                    && line.starts_with("READY ")
                {
                    let _ = sender.send(line.trim_end().to_owned());
                    tx = None;
                }
                line.clear();
            }
        });

        let origin = match rx.recv_timeout(READY_TIMEOUT) {
            Ok(line) => line["READY ".len()..].to_owned(),
            Err(e) => {
                let _ = child.kill();
                let status = child.wait().ok();
                let _ = stderr_thread.join();
                let log = stderr.lock().map(|s| s.clone()).unwrap_or_default();
                let why = match e {
                    mpsc::RecvTimeoutError::Timeout => {
                        format!("no READY line within {READY_TIMEOUT:?}")
                    }
                    mpsc::RecvTimeoutError::Disconnected => {
                        format!("the provider exited before READY (status {status:?})")
                    }
                };
                panic!(
                    "\n\n*** typed-oidc tests: the test OpenID Provider did not start: {why}\n\
                     *** command: {node} provider.mjs 0 (in {}, OP_MOUNT={mount:?}, env {env:?})\n\
                     *** its stderr:\n{log}\n",
                    dir.display()
                );
            }
        };
        let port = origin
            .rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("unexpected READY line: READY {origin}"));

        TestProvider {
            issuer: format!("{origin}{mount}"),
            origin,
            port,
            mount: mount.to_owned(),
            child: Mutex::new(child),
            _stdin: Mutex::new(stdin),
            stderr,
        }
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        if let Ok(mut stdin) = self._stdin.lock() {
            stdin.take();
        }
        if let Ok(mut child) = self.child.lock() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One provider (issuer at the root) per test binary, started on first use. It is never
/// dropped; it exits when the test binary exits (its stdin closes).
pub fn shared() -> &'static TestProvider {
    static SHARED: OnceLock<TestProvider> = OnceLock::new();
    SHARED.get_or_init(TestProvider::start)
}

/// One provider per mount path per test binary (see [`shared`]).
pub fn shared_with_mount(mount: &str) -> &'static TestProvider {
    static MOUNTED: OnceLock<Mutex<HashMap<String, &'static TestProvider>>> = OnceLock::new();
    let map = MOUNTED.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    map.entry(mount.to_owned())
        .or_insert_with(|| Box::leak(Box::new(TestProvider::start_with_mount(mount))))
}

/// `<crate>/tests/provider`.
pub fn provider_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("provider")
}

fn node_binary() -> String {
    let node = std::env::var("TYPED_OIDC_NODE").unwrap_or_else(|_| "node".to_owned());
    match Command::new(&node)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
    {
        Ok(out) if out.status.success() => node,
        Ok(out) => panic!(
            "\n\n*** typed-oidc tests NEED Node.js (>= 20) to run the test OpenID Provider.\n\
             *** `{node} --version` failed ({}): {}\n\
             *** Install Node.js 20+ (e.g. `apt-get install nodejs npm`) or set TYPED_OIDC_NODE.\n",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!(
            "\n\n*** typed-oidc tests NEED Node.js (>= 20) to run the test OpenID Provider.\n\
             *** could not run `{node} --version`: {e}\n\
             *** Install Node.js 20+ (e.g. `apt-get install nodejs npm`) or set TYPED_OIDC_NODE.\n\
             *** These tests never skip silently.\n"
        ),
    }
}

/// `node_modules` is complete and not older than `package-lock.json`.
fn node_modules_ready(dir: &Path) -> bool {
    let hidden_lock = dir.join("node_modules").join(".package-lock.json");
    let marker = dir
        .join("node_modules")
        .join("oidc-provider")
        .join("package.json");
    if !marker.is_file() {
        return false;
    }
    let mtime = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (mtime(&hidden_lock), mtime(&dir.join("package-lock.json"))) {
        (Some(installed), Some(locked)) => installed >= locked,
        (None, _) => false,
        (Some(_), None) => true,
    }
}

/// Runs `npm ci` once if needed, serialised across processes (several test binaries start at
/// once) by a create-dir lock `tests/provider/.npm-lock` with a stale-lock timeout.
fn ensure_node_modules(dir: &Path) {
    if node_modules_ready(dir) {
        return;
    }
    let lock = dir.join(".npm-lock");
    let started = Instant::now();
    let _guard = loop {
        match fs::create_dir(&lock) {
            Ok(()) => break LockGuard(lock.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if node_modules_ready(dir) {
                    return; // another process finished the install meanwhile
                }
                let age = fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| SystemTime::now().duration_since(t).ok());
                if age.is_some_and(|a| a > NPM_LOCK_STALE) {
                    eprintln!(
                        "typed-oidc tests: removing stale npm lock {}",
                        lock.display()
                    );
                    let _ = fs::remove_dir(&lock);
                    continue;
                }
                if started.elapsed() > NPM_LOCK_WAIT {
                    panic!(
                        "\n\n*** typed-oidc tests: waited {NPM_LOCK_WAIT:?} for {} (another `npm ci`); \
                         remove it if no test is running\n",
                        lock.display()
                    );
                }
                thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!(
                "typed-oidc tests: cannot create lock {}: {e}",
                lock.display()
            ),
        }
    };
    if node_modules_ready(dir) {
        return;
    }
    let npm = std::env::var("TYPED_OIDC_NPM").unwrap_or_else(|_| "npm".to_owned());
    eprintln!("typed-oidc tests: running `{npm} ci` in {}", dir.display());
    let out = Command::new(&npm)
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "\n\n*** typed-oidc tests NEED npm to install the test OpenID Provider: \
                 could not run `{npm} ci`: {e}\n"
            )
        });
    if !out.status.success() || !node_modules_ready(dir) {
        panic!(
            "\n\n*** typed-oidc tests: `{npm} ci` in {} failed ({}):\n{}\n{}\n",
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

struct LockGuard(PathBuf);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = fs::remove_dir(&self.0);
    }
}
