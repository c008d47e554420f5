# OrderLab shortcuts. Each target is a thin wrapper over the command it prints (make -n
# <target> shows it), documented in docs/compose.md; nothing here is needed.
#
#   make            list the targets
#   make up         the lab in Docker Compose      make start   the native lab (no Docker)
#   make up-full    … with metrics and tracing (Grafana, Prometheus, the Collector, Tempo)

COMPOSE ?= docker compose
# The traffic generator's control API: Compose publishes it here, `npm start` listens here too.
# Its port is PORTS.traffic of the topology (packages/contracts/src/topology.ts), read with sed
# so that `make` needs no Node (make -n status shows the result).
TRAFFIC_PORT := $(shell sed -n 's/^  traffic: \([0-9][0-9]*\),$$/\1/p' packages/contracts/src/topology.ts)
TRAFFIC_URL ?= http://127.0.0.1:$(TRAFFIC_PORT)

.DEFAULT_GOAL := help
.PHONY: help up up-full down logs ps start test bench status mode-steady mode-burst mode-overload mode-pause

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

up: ## build the images and start the lab in Docker Compose (detached)
	$(COMPOSE) up -d --build

up-full: ## the same with every profile: Prometheus, Grafana, the Collector and Tempo too
	$(COMPOSE) --profile full up -d --build

down: ## stop and remove the Compose containers (volumes are kept; add -v by hand to drop them)
	$(COMPOSE) down

logs: ## follow the logs of every Compose container
	$(COMPOSE) logs -f

ps: ## show the Compose containers and their health
	$(COMPOSE) ps

start: ## run the native lab (no Docker): npm start
	npm start

test: ## run every test: npm test
	npm test

bench: ## run the benchmarks: npm run bench
	npm run bench

status: ## the traffic generator's status (mode, rates, outcomes) as JSON
	curl -fsS $(TRAFFIC_URL)/status

mode-steady: ## traffic: a constant rate
	curl -fsS -X POST $(TRAFFIC_URL)/mode/steady

mode-burst: ## traffic: periodic peaks
	curl -fsS -X POST $(TRAFFIC_URL)/mode/burst

mode-overload: ## traffic: ramp up until the shop saturates
	curl -fsS -X POST $(TRAFFIC_URL)/mode/overload

mode-pause: ## traffic: send nothing
	curl -fsS -X POST $(TRAFFIC_URL)/mode/pause
