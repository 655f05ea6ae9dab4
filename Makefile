# campaigns-admin: `make run` serves demo mode, `make test` runs every check. Both bootstrap first.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test bootstrap fmt lint unit e2e bench soak release clean-data

bootstrap:
	@scripts/bootstrap

## Serve demo mode (built-in GitHub emulator) at http://127.0.0.1:3000
run: bootstrap
	cargo leptos serve

## Format, lint both feature sets, Rust tests, then the Playwright browser tests
test: bootstrap fmt lint unit e2e

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --all-targets --features ssr -- -D warnings
	cargo clippy --no-default-features --features ssr -- -D warnings
	cargo clippy --lib --target wasm32-unknown-unknown --features hydrate -- -D warnings

unit:
	scripts/with-postgres cargo nextest run --features ssr

e2e:
	scripts/e2e

## Performance figures for the alert picker (release build, 10,000+ alerts)
bench: bootstrap
	scripts/bench

## The load and fault suite for ten minutes (LOAD_SECONDS=…), printing its figures
soak: bootstrap
	scripts/with-postgres cargo nextest run --features ssr --run-ignored only -E 'test(=load::soak)' --no-capture

## Optimised build, the bundle named by content and precompressed (scripts/release); without the
## built-in GitHub emulator unless DEMO=1
release: bootstrap
	DEMO=$(DEMO) scripts/release

clean-data:
	rm -rf target/data target/e2e-data
