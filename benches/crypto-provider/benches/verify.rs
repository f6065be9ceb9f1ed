//! JWS signature verification (RS256, ES256) with aws-lc-rs and with ring, on the
//! same keys, message and signature.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as lc, KeyPair};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use ring::signature as rg;

fn bench(c: &mut Criterion) {
    let message = vec![b'x'; 600]; // about the size of an ID token's signing input
    let rng = SystemRandom::new();

    let rsa = lc::RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
    let mut rsa_sig = vec![0u8; rsa.public_modulus_len()];
    rsa.sign(&lc::RSA_PKCS1_SHA256, &rng, &message, &mut rsa_sig).unwrap();
    let rsa_pub = rsa.public_key().as_ref().to_vec(); // PKCS#1 RSAPublicKey DER

    let ec = lc::EcdsaKeyPair::generate(&lc::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let ec_sig = ec.sign(&rng, &message).unwrap().as_ref().to_vec();
    let ec_pub = ec.public_key().as_ref().to_vec(); // uncompressed point

    let mut g = c.benchmark_group("rs256_verify");
    let parsed = lc::ParsedPublicKey::new(&lc::RSA_PKCS1_2048_8192_SHA256, &rsa_pub).unwrap();
    g.bench_function("aws-lc-rs parsed once", |b| {
        b.iter(|| parsed.verify_sig(black_box(&message), black_box(&rsa_sig)).unwrap())
    });
    g.bench_function("aws-lc-rs parse+verify", |b| {
        b.iter(|| {
            lc::UnparsedPublicKey::new(&lc::RSA_PKCS1_2048_8192_SHA256, &rsa_pub)
                .verify(black_box(&message), black_box(&rsa_sig))
                .unwrap()
        })
    });
    g.bench_function("ring parse+verify", |b| {
        b.iter(|| {
            rg::UnparsedPublicKey::new(&rg::RSA_PKCS1_2048_8192_SHA256, &rsa_pub)
                .verify(black_box(&message), black_box(&rsa_sig))
                .unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("es256_verify");
    let parsed = lc::ParsedPublicKey::new(&lc::ECDSA_P256_SHA256_FIXED, &ec_pub).unwrap();
    g.bench_function("aws-lc-rs parsed once", |b| {
        b.iter(|| parsed.verify_sig(black_box(&message), black_box(&ec_sig)).unwrap())
    });
    g.bench_function("ring parse+verify", |b| {
        b.iter(|| {
            rg::UnparsedPublicKey::new(&rg::ECDSA_P256_SHA256_FIXED, &ec_pub)
                .verify(black_box(&message), black_box(&ec_sig))
                .unwrap()
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2)).warm_up_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
