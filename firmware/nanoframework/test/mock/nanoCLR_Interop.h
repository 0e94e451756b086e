// A host-side mock of the few nanoCLR interop types and macros that Mote's stubs use, so that
// firmware/nanoframework/native compiles and runs in `make -C firmware test` without an
// nf-interpreter checkout. It mimics the shapes of nanoCLR_Interop.h / nanoCLR_Runtime.h, not
// their implementation; the real firmware build uses the real headers.
#ifndef MOTE_MOCK_NANOCLR_INTEROP_H
#define MOTE_MOCK_NANOCLR_INTEROP_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t HRESULT;
#define S_OK 0
#define CLR_E_INVALID_PARAMETER ((HRESULT)0xFD000000)
#define CLR_E_ARGUMENT_NULL ((HRESULT)0xFB000000)

struct CLR_RT_HeapBlock_Array
{
    uint32_t m_numOfElements;
    uint8_t *data;
    uint8_t *GetFirstElement() { return data; }
};

struct CLR_RT_HeapBlock
{
    CLR_RT_HeapBlock_Array *array;
    CLR_RT_HeapBlock_Array *DereferenceArray() { return array; }
};

struct CLR_RT_StackFrame
{
    CLR_RT_HeapBlock args[4];
    int32_t result;
    CLR_RT_HeapBlock &Arg0() { return args[0]; }
    CLR_RT_HeapBlock &Arg1() { return args[1]; }
    CLR_RT_HeapBlock &Arg2() { return args[2]; }
    void SetResult_I4(int32_t v) { result = v; }
};

typedef HRESULT (*CLR_RT_MethodHandler)(CLR_RT_StackFrame &stack);

struct CLR_RECORD_VERSION
{
    uint16_t iMajorVersion, iMinorVersion, iBuildNumber, iRevisionNumber;
};

struct CLR_RT_NativeAssemblyData
{
    const char *m_szAssemblyName;
    uint32_t m_checkSum;
    const CLR_RT_MethodHandler *m_pNativeMethods;
    CLR_RECORD_VERSION m_Version;
};

#define NANOCLR_NATIVE_DECLARE(name) static HRESULT name(CLR_RT_StackFrame &stack)
#define NANOCLR_HEADER() HRESULT hr = S_OK
#define NANOCLR_SET_AND_LEAVE(expr) do { hr = (expr); goto nanoCLR_Cleanup; } while (0)
#define FAULT_ON_NULL_ARG(p) do { if (!(p)) NANOCLR_SET_AND_LEAVE(CLR_E_ARGUMENT_NULL); } while (0)
#define NANOCLR_NOCLEANUP() nanoCLR_Cleanup: return hr
#define NANOCLR_NOCLEANUP_NOLABEL() return hr

#endif
