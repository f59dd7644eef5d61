"""The generative mode's runtime (llama.cpp through llama-cpp-python), built for a fixed x86-64
baseline and never for the build machine's own CPU.

Why: built with llama.cpp's default native flags on a CPU that reports AMX, the server died with
a segmentation fault on its first completion (`ggml_backend_amx_mul_mat`), and a natively built
wheel cached on one machine dies with an illegal instruction on a CPU lacking the instructions it
was built for. So the wheel is built once per baseline, with every instruction set named
explicitly, its shared libraries are disassembled and refused if they use anything the baseline
lacks, and it is kept in policyqa's cache under the baseline's name (pip's own wheel cache is
never used for it). `scripts/setup --llm` drives this:

    python -m policyqa.llm.runtime baseline          # the baseline this CPU can run
    python -m policyqa.llm.runtime cmake-args NAME   # the CMake flags that build it
    python -m policyqa.llm.runtime check FILE...     # exit 1 if a wheel or library breaks its baseline
"""

from __future__ import annotations

import hashlib
import platform
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

LLAMA_CPP_VERSION = "0.3.36"

# Instruction sets no baseline here ever uses. AMX is the crash seen; AVX-512 (zmm registers,
# opmask registers, EVEX-only registers 16-31) and AVX-VNNI are absent from many x86-64 CPUs
# that otherwise run the v3 baseline (AMD before Zen 4, Intel client parts).
_AMX = r"\b(ldtilecfg|sttilecfg|tileloadd|tileloaddt1|tilestored|tilezero|tilerelease|tdpb[su][su]d|tdpbf16ps|tdpfp16ps)\b"
# Registers only AVX-512 has, and EVEX-only instructions that also run on the low registers.
_AVX512 = (
    r"%zmm\d|%k[0-7]\b|\{%k[0-7]\}|%[xy]mm(1[6-9]|2\d|3[01])\b|\{1to\d+\}|\{z\}|\bk(mov|and|or|xor|not|shift|test)"
    r"|\bvpternlog|\bvperm[it]2|\bvpmov(u?s)?(qb|qw|qd|db|dw|wb)\b|\bvpmov[bwdq]2m\b|\bvpmovm2[bwdq]\b"
)
_VNNI = r"\bvpdp(bu|ws)sds?\b"
# Any VEX-encoded instruction (AVX) and BMI2, for the baseline without them.
_AVX = r"(^|\t)v[a-z0-9]+(\s|$)|\b(shlx|shrx|sarx|rorx|pdep|pext|mulx|bzhi)\b"


@dataclass(frozen=True)
class Baseline:
    name: str
    cpu_flags: frozenset[str]  # what /proc/cpuinfo must list for the CPU to run this build
    cmake_on: tuple[str, ...]
    forbidden: str  # objdump mnemonics or operands the build must not contain


_ALL_ISA_OPTIONS = (
    "SSE42",
    "AVX",
    "AVX2",
    "BMI2",
    "FMA",
    "F16C",
    "AVX_VNNI",
    "AVX512",
    "AVX512_VBMI",
    "AVX512_VNNI",
    "AVX512_BF16",
    "AMX_TILE",
    "AMX_INT8",
    "AMX_BF16",
)

BASELINES = (
    # x86-64-v3: Haswell (2013) and Zen 1 onwards; what every server CPU here has.
    Baseline(
        "x86-64-v3",
        frozenset({"sse4_2", "avx", "avx2", "bmi2", "fma", "f16c"}),
        ("SSE42", "AVX", "AVX2", "BMI2", "FMA", "F16C"),
        "|".join((_AMX, _AVX512, _VNNI)),
    ),
    # x86-64-v2: no AVX at all, for older or restricted virtual CPUs.
    Baseline("x86-64-v2", frozenset({"sse4_2"}), ("SSE42",), "|".join((_AMX, _AVX512, _VNNI, _AVX))),
)


def baseline_named(name: str) -> Baseline:
    for baseline in BASELINES:
        if baseline.name == name:
            return baseline
    raise ValueError(f"unknown baseline '{name}': one of {', '.join(b.name for b in BASELINES)}")


def cpu_flags(cpuinfo: str | None = None) -> frozenset[str]:
    if cpuinfo is None:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def x86_64() -> bool:
    return platform.machine().lower() in ("x86_64", "amd64")


def machine_baseline(flags: frozenset[str] | None = None) -> Baseline:
    """The widest baseline this CPU runs (never one chosen from what it has beyond it)."""
    if flags is None:
        if not x86_64():
            raise RuntimeError(f"the generative runtime is built for x86-64 baselines; this machine is {platform.machine()}")
        flags = cpu_flags()
    for baseline in BASELINES:
        if baseline.cpu_flags <= flags:
            return baseline
    raise RuntimeError("this CPU lacks SSE4.2; the generative mode's runtime is not built for it")


def cmake_args(baseline: Baseline) -> str:
    # GGML_NATIVE=OFF stops -march=native; every instruction-set option is then named, on or off,
    # so a newer llama.cpp default cannot slip one in.
    flags = ["-DGGML_NATIVE=OFF", "-DGGML_CPU_ALL_VARIANTS=OFF", "-DGGML_BACKEND_DL=OFF"]
    flags += [f"-DGGML_{option}={'ON' if option in baseline.cmake_on else 'OFF'}" for option in _ALL_ISA_OPTIONS]
    return " ".join(flags)


def violations(library: Path, baseline: Baseline, limit: int = 5) -> list[str]:
    """Disassembled lines of a shared library that use an instruction the baseline lacks."""
    # grep -P picks the candidate lines at C speed (a Python loop over a million lines takes
    # ten times longer); each is then checked on its instruction alone, without the symbol
    # names objdump prints after a call (<ggml_..._tile_...>).
    dump = subprocess.Popen(["objdump", "-d", "--no-show-raw-insn", str(library)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    grep = subprocess.run(["grep", "-P", baseline.forbidden], stdin=dump.stdout, capture_output=True, text=True, errors="replace")
    assert dump.stdout is not None and dump.stderr is not None
    dump.stdout.close()
    problem = dump.stderr.read().decode(errors="replace")
    if dump.wait() != 0:
        raise RuntimeError(f"objdump could not read {library}: {problem.strip()[:200]}")
    if grep.returncode > 1:  # 1 is "no line matched"
        raise RuntimeError(f"grep -P failed on the disassembly of {library}: {grep.stderr.strip()[:200]}")
    found: list[str] = []
    for line in grep.stdout.splitlines():
        instruction = re.sub(r"<[^>]*>", "", line.split("\t", 1)[1]) if "\t" in line else ""
        if re.search(baseline.forbidden, instruction):
            found.append(line.strip())
            if len(found) >= limit:
                break
    return found


def check_libraries(paths: list[Path], baseline: Baseline) -> dict[str, list[str]]:
    """Every shared library in these wheels, folders or files, with what breaks the baseline."""
    report: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        libraries: list[Path] = []
        for path in paths:
            if path.suffix == ".whl":
                with zipfile.ZipFile(path) as wheel:
                    members = [m for m in wheel.namelist() if re.search(r"\.so(\.\d+)*$", m)]
                    wheel.extractall(tmp, members)
                libraries += [Path(tmp) / m for m in members]
            elif path.is_dir():
                libraries += sorted(p for p in path.rglob("*.so*") if p.is_file())
            else:
                libraries.append(path)
        if not libraries:
            raise RuntimeError(f"no shared library in {', '.join(map(str, paths))}")
        # A wheel holds each library several times (libggml.so, .so.0, .so.0.25.3, and a copy
        # beside the package): disassemble each content once.
        seen: dict[str, list[str]] = {}
        for library in libraries:
            digest = hashlib.sha256(library.read_bytes()).hexdigest()
            if digest not in seen:
                seen[digest] = violations(library, baseline)
            report[library.name] = seen[digest]
    return report


def unsafe_here(package_dir: Path) -> str:
    """Why the installed runtime must not run on this CPU ('' when it may): a library built for
    instructions this CPU lacks, e.g. a wheel built natively on another machine."""
    import shutil

    if shutil.which("objdump") is None or not x86_64():
        return ""  # nothing to check with, or nothing x86 to check; scripts/setup checked the wheel
    baseline = machine_baseline()
    try:
        bad = {name: lines for name, lines in check_libraries([package_dir], baseline).items() if lines}
    except RuntimeError as exc:
        return f"the generative runtime could not be checked: {exc}"
    if not bad:
        return ""
    name, lines = next(iter(bad.items()))
    return (
        f"the installed llama.cpp ({name}) uses instructions this CPU ({baseline.name}) may lack, "
        f"e.g. `{lines[0]}`: it was built for another machine. Run `make llm` to build it for this one."
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["baseline"]:
        print(machine_baseline().name)
    elif argv[:1] == ["cmake-args"] and len(argv) == 2:
        print(cmake_args(baseline_named(argv[1])))
    elif argv[:1] == ["check"] and len(argv) >= 3:
        baseline = baseline_named(argv[1])
        bad = {name: lines for name, lines in check_libraries([Path(p) for p in argv[2:]], baseline).items() if lines}
        for name, lines in bad.items():
            print(f"{name}: uses instructions outside {baseline.name}:", *lines, sep="\n  ", file=sys.stderr)
        return 1 if bad else 0
    else:
        print("usage: python -m policyqa.llm.runtime baseline | cmake-args NAME | check NAME FILE...", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
