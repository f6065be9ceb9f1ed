//! The UserInfo endpoint (OpenID Connect Core 1.0 §5.3).
//!
//! [`Client::userinfo`] takes the validated [`Tokens`]: the response's `sub` must equal the
//! ID token's `sub` (§5.3.2), and since the expected subject comes with the tokens the check
//! cannot be skipped. [`Client::userinfo_for_subject`] is for an access token whose subject
//! is known some other way. [`UserInfoRequest::request`] builds the `http::Request` and
//! [`UserInfoRequest::finish`] reads the answer (sans-IO); [`UserInfoRequest::send`] does
//! both over the client's transport.
//!
//! The access token goes in the `Authorization: Bearer` header (RFC 6750 §2.1) or, on
//! request, in a form body (RFC 6750 §2.2). A response is JSON, or a JWS
//! (`application/jwt`, §5.3.2) verified with the provider's keys under the client's
//! algorithm allow-list, whose `iss` and `aud`, when present, must name the provider and
//! this client.

mod claims;

pub use claims::{Address, UserInfoClaims};

use std::fmt;

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION};
use serde_json::{Map, Value};

use crate::client::{Client, ClientKind};
use crate::discovery::ProviderMetadata;
use crate::dpop::{Bearer, TokenBinding};
use crate::error::{ConfigError, Error, ResponseError, ValidationError};
use crate::flow::{Access, Tokens};
use crate::http::HttpClient;
use crate::jose::{self, Jws, JwsAlgorithm};
use crate::request::Form;
use crate::response::{is_json, json_body, media_type, require_success};
use crate::types::SubjectId;

/// How the access token is presented (RFC 6750 §2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BearerMethod {
    /// `GET` with `Authorization: Bearer <token>` (RFC 6750 §2.1). The default, and the
    /// one every provider must support.
    #[default]
    Header,
    /// `POST` with `Authorization: Bearer <token>` and an empty body: RFC 6750 §2.1 does not
    /// restrict the method, and some providers (GenAuth/Authing's `/oidc/me`) document
    /// `POST`.
    HeaderPost,
    /// `POST` with `access_token=<token>` in an `application/x-www-form-urlencoded` body
    /// (RFC 6750 §2.2).
    FormBody,
}

/// A verified UserInfo response (OpenID Connect Core §5.3.2).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct UserInfo {
    /// The claims; `sub` equals the expected subject.
    pub claims: UserInfoClaims,
    /// The JWS algorithm of a signed response (`application/jwt`), `None` for plain JSON.
    pub signing_alg: Option<JwsAlgorithm>,
}

impl<H: HttpClient, K: ClientKind> Client<H, K> {
    /// Starts a UserInfo request with the access token of `tokens`; the response's `sub`
    /// must equal the `sub` of their validated ID token (OpenID Connect Core §5.3.2).
    /// Tokens without an ID token (a plain OAuth 2.0 flow) make [`UserInfoRequest::request`]
    /// fail: use [`Client::userinfo_for_subject`] with a subject known otherwise.
    ///
    /// A [`Dpop`](crate::Dpop) client sends its [`DpopBound`](crate::DpopBound) token as
    /// `Authorization: DPoP` with a proof (RFC 9449 §7.1); the tokens' type must match the
    /// client's.
    pub fn userinfo<'a, A: Access>(
        &'a self,
        tokens: &'a Tokens<A, K::Binding>,
    ) -> UserInfoRequest<'a, H, K> {
        UserInfoRequest {
            client: self,
            access_token: <K::Binding as TokenBinding>::secret(tokens.access_token()),
            expected_sub: tokens.id_token_claims().map(|c| c.sub.as_str()),
            method: BearerMethod::default(),
            require_signed: false,
        }
    }

    /// Starts a UserInfo request with `access_token`; the response's `sub` must equal
    /// `subject` (OpenID Connect Core §5.3.2).
    /// `access_token` is an [`AccessToken`](crate::AccessToken) for a bearer client, a
    /// [`DpopAccessToken`](crate::DpopAccessToken) for a DPoP client.
    pub fn userinfo_for_subject<'a>(
        &'a self,
        access_token: &'a <K::Binding as TokenBinding>::Token,
        subject: &'a SubjectId,
    ) -> UserInfoRequest<'a, H, K> {
        UserInfoRequest {
            client: self,
            access_token: <K::Binding as TokenBinding>::secret(access_token),
            expected_sub: Some(subject.as_str()),
            method: BearerMethod::default(),
            require_signed: false,
        }
    }
}

/// A UserInfo request being configured (OpenID Connect Core §5.3.1). Created by
/// [`Client::userinfo`] or [`Client::userinfo_for_subject`].
#[must_use = "a UserInfo request does nothing until it is sent"]
pub struct UserInfoRequest<'a, H, K> {
    client: &'a Client<H, K>,
    /// The token's value (an `AccessToken` or a `DpopAccessToken`, by the client's binding).
    access_token: &'a str,
    expected_sub: Option<&'a str>,
    method: BearerMethod,
    require_signed: bool,
}

impl<H, K> fmt::Debug for UserInfoRequest<'_, H, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserInfoRequest")
            .field("access_token", &"[redacted]")
            .field("expected_sub", &self.expected_sub)
            .field("method", &self.method)
            .field("require_signed", &self.require_signed)
            .finish_non_exhaustive()
    }
}

impl<H: HttpClient, K: ClientKind<Binding = Bearer>> UserInfoRequest<'_, H, K> {
    /// Chooses how the bearer token is sent (default: [`BearerMethod::Header`]). Bearer
    /// clients only: a DPoP-bound token is always sent in the `Authorization` header with
    /// its proof (RFC 9449 §7.1).
    pub fn bearer_method(mut self, method: BearerMethod) -> Self {
        self.method = method;
        self
    }
}

impl<H: HttpClient, K: ClientKind> UserInfoRequest<'_, H, K> {
    /// Largest UserInfo response accepted, in bytes.
    pub const MAX_LEN: usize = 256 * 1024;

    /// Refuses an unsigned (JSON) answer: for a client registered with a
    /// `userinfo_signed_response_alg` (OpenID Connect Dynamic Client Registration §2), so
    /// that a plain JSON answer cannot take the place of the signed one.
    pub fn require_signed(mut self) -> Self {
        self.require_signed = true;
        self
    }

    fn expected_sub(&self) -> Result<&str, ConfigError> {
        self.expected_sub.ok_or_else(|| ConfigError::InvalidValue {
            what: "tokens",
            detail: "no validated ID token, so the UserInfo sub cannot be checked \
                     (OpenID Connect Core §5.3.2); use userinfo_for_subject"
                .into(),
        })
    }

    /// The UserInfo request (sans-IO) to the `userinfo_endpoint`: a `GET` with the token
    /// in the `Authorization` header, or a form `POST` (see [`BearerMethod`]), accepting
    /// JSON and JWT answers.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnsupportedByProvider`] when the provider advertises no
    /// `userinfo_endpoint`; [`ConfigError::InvalidValue`] when there is no subject to check
    /// the answer against or the token cannot be put in a header.
    pub fn request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        let mut request = self.unproven_request()?;
        self.client
            .attach_resource_proof(&mut request, self.access_token)?;
        Ok(request)
    }

    /// [`request`](Self::request) without a DPoP proof.
    fn unproven_request(&self) -> Result<http::Request<Vec<u8>>, Error> {
        self.expected_sub()?;
        let endpoint = ProviderMetadata::endpoint(
            &self.client.metadata().userinfo_endpoint,
            "userinfo_endpoint",
        )?;
        let mut request = match self.method {
            BearerMethod::Header | BearerMethod::HeaderPost => {
                let value = crate::resource::authorization::<K::Binding>(self.access_token)?;
                let mut request = crate::request::get(endpoint.as_str());
                request.headers_mut().insert(AUTHORIZATION, value);
                if self.method == BearerMethod::HeaderPost {
                    *request.method_mut() = http::Method::POST;
                }
                request
            }
            BearerMethod::FormBody => {
                let mut form = Form::new();
                form.set("access_token", self.access_token);
                form.into_post(endpoint.as_str())
            }
        };
        request.headers_mut().insert(
            ACCEPT,
            http::HeaderValue::from_static("application/json, application/jwt"),
        );
        Ok(request)
    }

    /// Reads the UserInfo response (§5.3.2, §5.3.3), verifying a signed one (fetching the
    /// provider's keys when needed), and checks that `sub` is the expected subject.
    ///
    /// # Errors
    ///
    /// [`Error::Provider`] for a refused token (the `WWW-Authenticate: Bearer` error of
    /// RFC 6750 §3, or an error document); [`ResponseError`] for a status, content type or
    /// body that is not a UserInfo response; [`ValidationError::SubjectMismatch`] when
    /// `sub` differs; for a signed response the signature rules of ID tokens
    /// ([`ValidationError::Signature`], [`ValidationError::DisallowedAlg`], …) and
    /// [`ValidationError::Issuer`] / [`ValidationError::AudienceMissingClient`].
    pub async fn finish(&self, response: &http::Response<Bytes>) -> Result<UserInfo, Error> {
        let expected = self.expected_sub()?;
        self.client
            .observe_dpop_nonce(self.client.metadata().userinfo_endpoint.as_ref(), response);
        if !response.status().is_success()
            && let Some(err) = crate::challenge::token_error(response)
        {
            return Err(err.into());
        }
        require_success("userinfo", response)?;
        if response.body().len() > Self::MAX_LEN {
            return Err(ResponseError::Invalid {
                endpoint: "userinfo",
                detail: format!("document larger than {} bytes", Self::MAX_LEN),
            }
            .into());
        }
        let (object, signing_alg) = if is_json(response) && !self.require_signed {
            (json_body("userinfo", response, Self::MAX_LEN)?, None)
        } else if media_type(response).as_deref() == Some("application/jwt") {
            let (object, alg) = self.verify_signed(response.body()).await?;
            (object, Some(alg))
        } else {
            return Err(ResponseError::ContentType {
                endpoint: "userinfo",
                content_type: media_type(response).unwrap_or_default(),
                expected: if self.require_signed {
                    "application/jwt"
                } else {
                    "application/json or application/jwt"
                },
            }
            .into());
        };
        let claims = UserInfoClaims::from_object(object)?;
        if claims.sub.as_str() != expected {
            return Err(ValidationError::SubjectMismatch {
                expected: expected.to_owned(),
                actual: claims.sub.as_str().to_owned(),
            }
            .into());
        }
        Ok(UserInfo {
            claims,
            signing_alg,
        })
    }

    /// Sends the request and reads the response.
    ///
    /// A DPoP client retries once when the endpoint asks for a nonce (`401` with
    /// `WWW-Authenticate: DPoP error="use_dpop_nonce"`, RFC 9449 §9).
    pub async fn send(self) -> Result<UserInfo, Error> {
        let (response, secrets) = crate::dpop::execute(
            self.client.http(),
            self.client.core.dpop.as_ref(),
            "userinfo",
            Some(self.access_token),
            || self.client.core.validator.clock().now(),
            || self.unproven_request(),
        )
        .await?;
        self.finish(&response).await.map_err(|e| secrets.scrub(e))
    }

    /// Verifies a signed response (§5.3.2) under the ID-token header and signature rules and
    /// returns its claims object: `iss`, when present, must be the provider's issuer, and
    /// `aud`, when present, must contain this client.
    async fn verify_signed(
        &self,
        body: &[u8],
    ) -> Result<(Map<String, Value>, JwsAlgorithm), Error> {
        let token = std::str::from_utf8(body)
            .map_err(|_| ResponseError::Invalid {
                endpoint: "userinfo",
                detail: "a signed response must be a compact JWS".into(),
            })?
            .trim();
        let validator = self.client.id_token_validator();
        let (alg, payload) = self
            .client
            .with_provider_keys(token, |keys| {
                let jws = Jws::parse(token)?;
                let alg = validator.check_header(&jws)?;
                validator.verify_signature(&jws, alg, keys)?;
                Ok((alg, jws.payload().to_vec()))
            })
            .await?;
        let object: Map<String, Value> = jose::from_json_no_duplicates(&payload)?;
        let issuer = self.client.metadata().issuer.as_str();
        match object.get("iss") {
            None | Some(Value::Null) => {}
            Some(Value::String(iss)) if iss == issuer => {}
            Some(Value::String(iss)) => {
                return Err(ValidationError::Issuer {
                    expected: issuer.to_owned(),
                    actual: iss.clone(),
                }
                .into());
            }
            Some(_) => return Err(ValidationError::MissingClaim("iss").into()),
        }
        let client_id = self.client.client_id().as_str();
        let audience_ok = match object.get("aud") {
            None | Some(Value::Null) => true,
            Some(Value::String(aud)) => aud == client_id,
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
                items.iter().any(|a| a.as_str() == Some(client_id))
            }
            Some(_) => return Err(ValidationError::MissingClaim("aud").into()),
        };
        if !audience_ok {
            return Err(ValidationError::AudienceMissingClient {
                client_id: client_id.to_owned(),
            }
            .into());
        }
        Ok((object, alg))
    }
}
