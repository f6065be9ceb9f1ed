//! Garbage from the server — non-JSON, HTML, missing members, truncated JWTs — is a typed
//! error, never a panic.

use typed_oidc::Error;
use typed_oidc::error::ResponseError as R;
use typed_oidc::jose::JoseError;

use crate::common::*;

fn raw(status: u16, content_type: &'static str, body: &str) -> Answer {
    Answer::Raw {
        status,
        content_type,
        body: body.as_bytes().to_vec(),
    }
}

const HTML: &str = "<html><body><h1>Maintenance</h1></body></html>";

#[tokio::test]
async fn non_json_token_response() {
    let (as_, fapi) =
        security_with(|b| b.script(TOKEN, [raw(200, "application/json", "{\"access_token\": ")]))
            .await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Response(R::Json {
            endpoint: "token",
            ..
        })
    );
}

#[tokio::test]
async fn html_token_response_with_200() {
    let (as_, fapi) = security_with(|b| b.script(TOKEN, [raw(200, "text/html", HTML)])).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Response(R::ContentType { endpoint: "token", content_type, .. })
            if content_type == "text/html"
    );
}

#[tokio::test]
async fn html_token_response_with_500() {
    let (as_, fapi) = security_with(|b| b.script(TOKEN, [raw(500, "text/html", HTML)])).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Response(R::UnexpectedStatus {
            endpoint: "token",
            status: 500
        })
    );
}

#[tokio::test]
async fn token_response_that_is_a_json_array() {
    let (as_, fapi) =
        security_with(|b| b.script(TOKEN, [raw(200, "application/json", "[1, 2]")])).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Response(R::Json {
            endpoint: "token",
            ..
        })
    );
}

#[tokio::test]
async fn html_par_response_with_200() {
    let (as_, fapi) = security_with(|b| b.script(PAR, [raw(200, "text/html", HTML)])).await;
    expect_err!(
        authorize(&as_, &fapi).await,
        Error::Response(R::ContentType {
            endpoint: "pushed authorization request",
            ..
        })
    );
}

#[tokio::test]
async fn par_response_without_request_uri() {
    let (as_, fapi) =
        security_with(|b| b.script(PAR, [raw(201, "application/json", r#"{"expires_in": 60}"#)]))
            .await;
    expect_err!(
        authorize(&as_, &fapi).await,
        Error::Response(R::Json {
            endpoint: "pushed authorization request",
            ..
        })
    );
}

#[tokio::test]
async fn truncated_id_token() {
    let (as_, fapi) = security_with(|b| {
        b.id_token_token_edit = text_edit(|t| t.rsplit_once('.').unwrap().0.to_owned())
    })
    .await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Jose(JoseError::Malformed { what: "JWS", .. })
    );
}

#[tokio::test]
async fn truncated_jarm_response() {
    let (as_, fapi) = signing_with(|b| {
        // One character off the signature: a length no base64url text can have.
        b.jarm_token_edit = text_edit(|t| t[..t.len() - 1].to_owned())
    })
    .await;
    expect_err!(callback(&as_, &fapi).await, Error::Jose(JoseError::Base64));
    assert_eq!(count(&as_, TOKEN), 0);
}

#[tokio::test]
async fn html_userinfo_response_with_200() {
    let (as_, fapi) = security_with(|b| b.script(USERINFO, [raw(200, "text/html", HTML)])).await;
    let tokens = login(&as_, &fapi).await.unwrap();
    expect_err!(
        fapi.userinfo(&tokens).send().await,
        Error::Response(R::ContentType {
            endpoint: "userinfo",
            ..
        })
    );
}

#[tokio::test]
async fn token_response_with_a_non_numeric_expires_in() {
    let body = r#"{"access_token":"at","token_type":"DPoP","expires_in":"soon"}"#;
    let (as_, fapi) =
        security_with(|b| b.script(TOKEN, [raw(200, "application/json", body)])).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Response(R::Json {
            endpoint: "token",
            ..
        })
    );
}

#[tokio::test]
async fn token_response_without_access_token() {
    let body = r#"{"token_type":"DPoP","expires_in":60}"#;
    let (as_, fapi) =
        security_with(|b| b.script(TOKEN, [raw(200, "application/json", body)])).await;
    expect_err!(
        login(&as_, &fapi).await,
        Error::Response(R::Invalid { endpoint: "token", detail })
            if detail == "missing access_token"
    );
}
