# The two commands: `make run` serves the app, `make test` runs every check.
.PHONY: run test dev tools

run:
	scripts/run.sh

test:
	scripts/test.sh

# Contributor loop: rebuilds and reloads the browser on every save (debug build).
dev:
	scripts/ensure-tools.sh
	. scripts/env.sh && cargo leptos watch

tools:
	scripts/ensure-tools.sh --e2e
