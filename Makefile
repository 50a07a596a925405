# spinlif: the two commands of the README, and a few helpers.
#   make demo   set up (first time) and run the demo sweep (cpu engine when no GPU/MuMax3)
#   make test   set up (first time) and run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(abspath $(VENV))/bin
STAMP  := $(VENV)/.installed
CORES  ?= 2

.PHONY: setup demo test validate bench dryrun-paper clean-results slurm-deps test-slurm

setup: $(STAMP)

# torch first and pinned: magnum.np leaves it open and would pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[cpu,test,ubermag,snn]"
	touch $(STAMP)

demo: setup
	PATH=$(BIN):$$PATH snakemake --cores $(CORES)

test: setup
	PATH=$(BIN):$$PATH $(BIN)/python -m pytest

# Debian's SLURM and what its accounting needs, for tests/test_slurm.py (root; the tests start and stop
# their own one-node cluster in a temporary directory, see tests/slurm_cluster.py).
SLURM_PACKAGES := slurm-wlm slurmdbd munge mariadb-server
slurm-deps:
	@if command -v slurmctld >/dev/null && command -v slurmdbd >/dev/null && command -v munged >/dev/null \
	    && command -v mariadbd >/dev/null; then echo "SLURM packages present"; else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SLURM_PACKAGES) >/dev/null; fi

test-slurm: setup slurm-deps
	PATH=$(BIN):$$PATH $(BIN)/python -m pytest -m slurm

validate: setup
	PATH=$(BIN):$$PATH snakemake --cores $(CORES) validate

bench: setup
	PATH=$(BIN):$$PATH $(BIN)/python benchmarks/ovf_reader.py
	PATH=$(BIN):$$PATH $(BIN)/python benchmarks/fit_speed.py
	PATH=$(BIN):$$PATH $(BIN)/python benchmarks/mx3_interpreter.py --ns 0.4
	PATH=$(BIN):$$PATH $(BIN)/python benchmarks/cpu_engine.py

dryrun-paper: setup
	PATH=$(BIN):$$PATH snakemake -n --configfile config/paper.yaml --cores 8

clean-results:
	rm -rf results/*/ results/sweep.csv .snakemake/incomplete
