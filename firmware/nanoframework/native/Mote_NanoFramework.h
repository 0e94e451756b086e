// Native side of the Mote.NanoFramework interop assembly, in the layout nanoFramework's
// MetadataProcessor generates for InternalCall methods (one struct per class, one
// NANOCLR_NATIVE_DECLARE per method, named <method>___<STATIC>__<return>__<arguments>).
// Regenerate with the MetadataProcessor from the nfproj when MoteNative changes.
#ifndef MOTE_NANOFRAMEWORK_H
#define MOTE_NANOFRAMEWORK_H

#include <nanoCLR_Interop.h>
#include <nanoCLR_Runtime.h>
#include <nanoPackStruct.h>

struct Library_Mote_NanoFramework_Mote_NanoFramework_MoteNative
{
    NANOCLR_NATIVE_DECLARE(Prepare___STATIC__I4__SZARRAY_U1__SZARRAY_I4);
    NANOCLR_NATIVE_DECLARE(Invoke___STATIC__I4__SZARRAY_U1__SZARRAY_U1__SZARRAY_U1);
    NANOCLR_NATIVE_DECLARE(KernelsUseDsp___STATIC__I4);

    //--//
};

extern const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_Mote_NanoFramework;

#endif
