// A CodeVerifier comes only from `generate()` or the validating `parse()`.
use typed_oidc::CodeVerifier;

fn main() {
    let _a = CodeVerifier("too-short".to_string());
    let _b: CodeVerifier = "too-short".into();
    let _c = CodeVerifier::new("too-short");
}
