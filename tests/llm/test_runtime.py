"""The generative runtime is built for a fixed CPU baseline and checked by disassembly: these
tests compile small libraries that do and do not use instructions beyond the baseline, and
check the llama.cpp libraries actually installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from policyqa.llm import runtime as llm_runtime
from policyqa.llm.runtime import baseline_named, check_libraries, cmake_args, machine_baseline, unsafe_here, violations

V3, V2 = baseline_named("x86-64-v3"), baseline_named("x86-64-v2")
# Flags of CPUs seen here: an AMD EPYC with AVX2 only, and a Sapphire Rapids that reports AMX
# (where the natively built llama.cpp crashed).
EPYC = frozenset("fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi1 bmi2".split())
SAPPHIRE = EPYC | frozenset("avx512f avx512bw avx512_vnni avx_vnni amx_tile amx_int8 amx_bf16".split())


def _tools():
    if not llm_runtime.x86_64():
        pytest.skip("the baselines and the disassembly check are x86-64's")
    missing = [t for t in ("gcc", "objdump") if shutil.which(t) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing: scripts/setup --llm installs them")
        pytest.skip(f"{', '.join(missing)} not installed")


def _library(tmp_path: Path, name: str, body: str, *flags: str) -> Path:
    source = tmp_path / f"{name}.c"
    source.write_text("#include <immintrin.h>\n" + body, encoding="utf-8")
    out = tmp_path / f"lib{name}.so"
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", *flags, str(source), "-o", str(out)], check=True)
    return out


def test_the_baseline_is_what_every_cpu_here_runs_never_what_one_cpu_adds():
    assert machine_baseline(SAPPHIRE) == V3 and machine_baseline(EPYC) == V3
    assert machine_baseline(frozenset({"sse4_2", "avx"})) == V2
    with pytest.raises(RuntimeError, match="SSE4.2"):
        machine_baseline(frozenset({"sse2"}))
    assert llm_runtime.cpu_flags("processor: 0\nflags\t\t: fpu avx2 sse4_2\n") == {"fpu", "avx2", "sse4_2"}


def test_the_build_flags_name_every_instruction_set():
    args = cmake_args(V3)
    assert "-DGGML_NATIVE=OFF" in args and "-DGGML_AVX2=ON" in args and "-DGGML_FMA=ON" in args
    for option in ("AMX_TILE", "AMX_INT8", "AMX_BF16", "AVX512", "AVX512_VNNI", "AVX_VNNI"):
        assert f"-DGGML_{option}=OFF" in args
    assert "-DGGML_AVX=OFF" in cmake_args(V2) and "-DGGML_SSE42=ON" in cmake_args(V2)


def test_disassembly_finds_avx512_amx_and_vnni_and_passes_a_clean_library(tmp_path):
    _tools()
    clean = _library(
        tmp_path,
        "avx2",
        "void add(float *a, float *b) { _mm256_storeu_ps(a, _mm256_add_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(b))); }\n",
        "-mavx2",
        "-mfma",
    )
    avx512 = _library(
        tmp_path,
        "avx512",
        "void add(float *a, float *b) { _mm512_storeu_ps(a, _mm512_add_ps(_mm512_loadu_ps(a), _mm512_loadu_ps(b))); }\n",
        "-mavx512f",
    )
    amx = _library(tmp_path, "amx", 'void done(void) { __asm__ volatile ("tilerelease"); }\n')
    vnni = _library(
        tmp_path, "vnni", "__m256i dot(__m256i a, __m256i b, __m256i c) { return _mm256_dpbusd_avx_epi32(a, b, c); }\n", "-mavxvnni"
    )
    assert violations(clean, V3) == []
    assert any("%zmm" in line for line in violations(avx512, V3))
    assert any("tilerelease" in line for line in violations(amx, V3))
    assert any("vpdpbusd" in line for line in violations(vnni, V3))
    # The older baseline refuses AVX itself.
    assert any("%ymm" in line for line in violations(clean, V2))
    report = check_libraries([tmp_path], V3)
    assert not report["libavx2.so"] and report["libavx512.so"] and report["libamx.so"]
    assert "built for another machine" in unsafe_here(tmp_path) and "make llm" in unsafe_here(tmp_path)


def test_the_installed_llama_cpp_holds_no_instruction_beyond_this_machines_baseline():
    required = os.environ.get("POLICYQA_REQUIRE_MODEL", "").strip().lower() not in ("", "0", "false", "no")
    try:
        import llama_cpp
    except ImportError:
        if required:
            raise
        pytest.skip("the llm extra is not installed (make llm)")
    _tools()
    folder = Path(llama_cpp.__file__).parent
    report = check_libraries([folder], machine_baseline())
    assert "libggml-cpu.so" in report, sorted(report)
    # Checked against the v3 baseline too: AMX and AVX-512 never, on any machine.
    assert all(not lines for lines in check_libraries([folder], V3).values()), check_libraries([folder], V3)
    assert unsafe_here(folder) == ""
    # The path that crashed on an AMX CPU is not even compiled in.
    listing = subprocess.run(
        ["objdump", "-d", "--no-show-raw-insn", str(folder / "lib" / "libggml-cpu.so")], capture_output=True, text=True, check=True
    ).stdout
    assert "ggml_backend_amx_mul_mat" not in listing and "ggml_cpu_has_avx2" in listing
