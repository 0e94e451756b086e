// InternalCall implementations of Mote.NanoFramework.MoteNative. Each method reads its
// arguments from the interpreter's stack frame, calls the C driver (firmware/runner) and the
// kernels (firmware/kernels), and returns a mote_status as int. Managed byte[] buffers may
// move between calls (the heap compacts), so nothing is cached: every Invoke parses the
// blob's tables again (no CRC; a few thousand instructions) and uses the arrays in place.
#include "Mote_NanoFramework.h"

extern "C" {
#include "mote_kernels.h"
#include "mote_model.h"
}

typedef Library_Mote_NanoFramework_Mote_NanoFramework_MoteNative MoteNative;

// int Prepare(byte[] blob, int[] sizes)
HRESULT MoteNative::Prepare___STATIC__I4__SZARRAY_U1__SZARRAY_I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    {
        CLR_RT_HeapBlock_Array *blob = stack.Arg0().DereferenceArray();
        CLR_RT_HeapBlock_Array *sizes = stack.Arg1().DereferenceArray();
        FAULT_ON_NULL_ARG(blob);
        FAULT_ON_NULL_ARG(sizes);
        if (sizes->m_numOfElements < 2) NANOCLR_SET_AND_LEAVE(CLR_E_INVALID_PARAMETER);

        mote_model model;
        char error[96];
        mote_status status = mote_model_load(&model, blob->GetFirstElement(), blob->m_numOfElements, 1, error,
                                             sizeof error);
        if (status == MOTE_OK)
        {
            int32_t *out = (int32_t *)sizes->GetFirstElement();
            out[0] = (int32_t)model.arena_bytes;
            out[1] = (int32_t)model.scratch_bytes;
        }
        stack.SetResult_I4(status);
    }
    NANOCLR_NOCLEANUP();
}

// int Invoke(byte[] blob, byte[] arena, byte[] scratch)
HRESULT MoteNative::Invoke___STATIC__I4__SZARRAY_U1__SZARRAY_U1__SZARRAY_U1(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    {
        CLR_RT_HeapBlock_Array *blob = stack.Arg0().DereferenceArray();
        CLR_RT_HeapBlock_Array *arena = stack.Arg1().DereferenceArray();
        CLR_RT_HeapBlock_Array *scratch = stack.Arg2().DereferenceArray(); // may be null when 0 bytes are needed
        FAULT_ON_NULL_ARG(blob);
        FAULT_ON_NULL_ARG(arena);

        mote_model model;
        char error[96];
        mote_status status = mote_model_load(&model, blob->GetFirstElement(), blob->m_numOfElements, 0, error,
                                             sizeof error);
        if (status == MOTE_OK && arena->m_numOfElements < model.arena_bytes) status = MOTE_ERROR_ARGUMENT;
        if (status == MOTE_OK && model.scratch_bytes > 0 &&
            (scratch == NULL || scratch->m_numOfElements < model.scratch_bytes))
            status = MOTE_ERROR_SCRATCH;
        // byte[] payloads are 4-byte aligned in nanoFramework's heap, as the kernels' scratch needs.
        if (status == MOTE_OK)
            status = mote_model_invoke(&model, arena->GetFirstElement(), scratch ? scratch->GetFirstElement() : NULL);
        stack.SetResult_I4(status);
    }
    NANOCLR_NOCLEANUP();
}

// int KernelsUseDsp()
HRESULT MoteNative::KernelsUseDsp___STATIC__I4(CLR_RT_StackFrame &stack)
{
    NANOCLR_HEADER();
    stack.SetResult_I4(MOTE_HAVE_DSP);
    NANOCLR_NOCLEANUP_NOLABEL();
}
