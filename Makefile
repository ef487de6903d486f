# Two commands matter: `make demo` and `make test`. Both set up what they need first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
ENV ?= dev
TARGET ?= emulator
PYTEST_ARGS ?=

.PHONY: help setup lambdas glue-package demo job spark-history test emulator-up emulator-down emulator-status plan apply destroy output cost doctor fmt lint bench clean alarm-test

help: ## list the targets
	@grep -E '^[a-z-]+( [a-z-]+)*:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | column -t -s $$'\t'

setup: ## virtualenvs (project + LocalStack) and the Terraform CLI config; quick when done already
	@bash scripts/bootstrap.sh

lambdas: setup ## build the Lambda zips into build/lambda (deterministic, so plans stay stable)
	@$(PY) -m tools.build_lambdas

glue-package: setup ## build the job framework's package for Glue into build/glue (deterministic zip + manifest)
	@$(PY) -m tools.build_glue_package

demo: lambdas glue-package ## apply environments/dev on the embedded AWS emulator and watch an alert travel
	@$(PY) -m harness.demo

test: lambdas glue-package ## the whole suite: static, plan, negative, apply, e2e, python (PYTEST_ARGS="-m plan" to select)
	@$(PY) -m pytest --durations=15 $(PYTEST_ARGS)

emulator-up: setup ## start LocalStack (+ moto), or reuse the one that answers; saved in .emulator/ for other shells
	@$(PY) -m harness emulator up

emulator-down: ## stop every emulator process this checkout started (emulator-up, demo, apply, test), checked by pid
	@if [ -x $(PY) ]; then $(PY) -m harness emulator down; fi

emulator-status: ## what runs, since when, and which environments it holds
	@$(PY) -m harness emulator status

plan apply destroy output: lambdas glue-package ## ENV=dev|staging|prod on the emulator; TARGET=aws for real AWS (asks first)
	@$(PY) -m harness $@ --env $(ENV) --target $(TARGET)

job: setup ## run the example Glue job (customer_import) on the emulator with 5,000 generated rows (SPARK_UI=1: the Spark UI on, event logs in build/spark-events)
	@$(if $(SPARK_UI),GLUE_JOBS_SPARK_EVENT_LOGS=build/spark-events) $(PY) -m harness.local_job --environment dev --generate_sample 5000 \
		--input_path build/demo/customers_raw --output_path build/demo/customers_silver

spark-history: setup ## a Spark history server on http://localhost:18080 over build/spark-events (the runs of make job SPARK_UI=1)
	@$(PY) -m tools.spark_history build/spark-events

cost: lambdas glue-package ## monthly CloudWatch cost of the monitoring of each environment, from its plan (tools/prices.json)
	@for env in dev staging prod; do $(PY) -m harness plan-json --env $$env --out build/plans/$$env.json >/dev/null || exit 1; done
	@$(PY) -m tools.monitoring_cost --env dev=build/plans/dev.json --env staging=build/plans/staging.json --env prod=build/plans/prod.json

doctor: setup ## the troubleshooting checklists against an applied environment (ENV=prod, TARGET=aws; GLUE_JOBS="a b" names the Glue jobs)
	@$(PY) -m tools.doctor --env $(ENV) --target $(TARGET) $(foreach j,$(GLUE_JOBS),--job $(j))

alarm-test: lambdas glue-package ## evaluate alarm scenarios against a plan: ENV=prod (planned now) or PLAN=<plan JSON>, SCENARIOS=<dir or files>
	@plan="$(PLAN)"; if [ -z "$$plan" ]; then plan=build/plans/$(ENV).json; \
		$(PY) -m harness plan-json --env $(ENV) --out $$plan >/dev/null || exit 2; fi; \
	files=$$(for s in $(or $(SCENARIOS),tests/alarm_scenarios); do if [ -d $$s ]; then ls $$s/*.yaml; else echo $$s; fi; done); \
	$(PY) -m alarm_eval --plan $$plan $$(printf -- '--scenario %s ' $$files); status=$$?; \
	$(PY) -m alarm_eval coverage --plan $$plan $$(printf -- '--scenario %s ' $$files); exit $$status

fmt: ## format the Terraform and the Python
	terraform fmt -recursive modules environments
	$(PY) -m ruff check --fix --quiet . ; $(PY) -m ruff format --quiet glue_jobs lambda_src harness tools tests benchmarks 2>/dev/null || true

lint: setup ## the static tier only (fmt, validate, checkov, README tables, tflint when installed, ruff)
	@$(PY) -m pytest -m static $(PYTEST_ARGS)

bench: setup ## benchmarks: wall time of each test tier and of the dev environment's apply/re-plan/destroy
	@$(PY) benchmarks/run.py

clean: emulator-down ## remove local state, caches of this checkout and the .venv links
	rm -rf .emulator .pytest_cache .ruff_cache build spark-warehouse .venv .venv-localstack .venv-checkov
