// Drives the nanoFramework InternalCall stubs (native/) through the mock interop API the way
// the nanoCLR would: Prepare, then Invoke on every TFLM vector of the models in the manifest,
// comparing the outputs byte for byte. Proves the stubs' argument handling and status codes;
// the real binding (checksum, method table order) needs an nf-interpreter build (README).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "Mote_NanoFramework.h"

extern "C" {
#include "mote_model.h"
}

typedef Library_Mote_NanoFramework_Mote_NanoFramework_MoteNative MoteNative;

static bool read_file(const char *path, std::vector<uint8_t> &out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    uint8_t buf[4096];
    size_t n;
    out.clear();
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
    fclose(f);
    return true;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    FILE *manifest = argc > 1 ? fopen(argv[1], "r") : NULL;
    if (!manifest) {
        printf("nanoframework interop (mock CLR): 0 passed, 1 failed\n");
        return 1;
    }
    char name[128], blob_path[512], vectors[512];
    while (fscanf(manifest, "%127s %511s %511s", name, blob_path, vectors) == 3) {
        std::vector<uint8_t> blob;
        if (!read_file(blob_path, blob)) { printf("FAIL %s: cannot read %s\n", name, blob_path); failed++; continue; }
        std::vector<uint8_t> sizes_bytes(8);
        CLR_RT_HeapBlock_Array blob_array = {(uint32_t)blob.size(), blob.data()};
        CLR_RT_HeapBlock_Array sizes_array = {2, sizes_bytes.data()};
        CLR_RT_StackFrame prepare = {};
        prepare.args[0].array = &blob_array, prepare.args[1].array = &sizes_array;
        if (MoteNative::Prepare___STATIC__I4__SZARRAY_U1__SZARRAY_I4(prepare) != S_OK || prepare.result != MOTE_OK) {
            printf("FAIL %s: Prepare returned %d\n", name, (int)prepare.result);
            failed++;
            continue;
        }
        int32_t sizes[2];
        memcpy(sizes, sizes_bytes.data(), sizeof sizes);
        // the arena's input and output ranges come from the C driver here (Mote.Runtime's Model on a device)
        mote_model model;
        char error[96];
        mote_model_load(&model, blob.data(), (uint32_t)blob.size(), 0, error, sizeof error);
        std::vector<uint8_t> arena(sizes[0]), scratch(sizes[1] > 0 ? sizes[1] : 1);
        CLR_RT_HeapBlock_Array arena_array = {(uint32_t)arena.size(), arena.data()};
        CLR_RT_HeapBlock_Array scratch_array = {(uint32_t)scratch.size(), scratch.data()};
        for (int k = 0; k < 8; k++) {
            char path[600];
            std::vector<uint8_t> in, expected;
            snprintf(path, sizeof path, "%s/input_%d.bin", vectors, k);
            bool ok = read_file(path, in);
            snprintf(path, sizeof path, "%s/output_%d.bin", vectors, k);
            ok = ok && read_file(path, expected);
            uint32_t offset = 0, size = 0, at = 0;
            for (uint32_t i = 0; ok && i < mote_model_io_count(&model, 0); i++) {
                ok = mote_model_io(&model, 0, i, &offset, &size) == MOTE_OK && at + size <= in.size();
                if (ok) memcpy(arena.data() + offset, in.data() + at, size), at += size;
            }
            CLR_RT_StackFrame invoke = {};
            invoke.args[0].array = &blob_array, invoke.args[1].array = &arena_array, invoke.args[2].array = &scratch_array;
            ok = ok && MoteNative::Invoke___STATIC__I4__SZARRAY_U1__SZARRAY_U1__SZARRAY_U1(invoke) == S_OK &&
                 invoke.result == MOTE_OK;
            at = 0;
            for (uint32_t i = 0; ok && i < mote_model_io_count(&model, 1); i++) {
                ok = mote_model_io(&model, 1, i, &offset, &size) == MOTE_OK && at + size <= expected.size() &&
                     memcmp(arena.data() + offset, expected.data() + at, size) == 0;
                at += size;
            }
            if (ok) passed++;
            else { failed++; printf("FAIL %s sample %d through the interop stubs\n", name, k); }
        }
        // a null arena must come back as an argument fault, not a crash
        CLR_RT_StackFrame bad = {};
        bad.args[0].array = &blob_array;
        if (MoteNative::Invoke___STATIC__I4__SZARRAY_U1__SZARRAY_U1__SZARRAY_U1(bad) == CLR_E_ARGUMENT_NULL) passed++;
        else { failed++; printf("FAIL %s: Invoke with a null arena did not fault\n", name); }
    }
    fclose(manifest);
    CLR_RT_StackFrame dsp = {};
    MoteNative::KernelsUseDsp___STATIC__I4(dsp);
    if (dsp.result == MOTE_HAVE_DSP) passed++;
    else { failed++; printf("FAIL KernelsUseDsp returned %d\n", (int)dsp.result); }
    if (strcmp(g_CLR_AssemblyNative_Mote_NanoFramework.m_szAssemblyName, "Mote.NanoFramework") == 0) passed++;
    else failed++;
    printf("nanoframework interop (mock CLR): %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
