// Method lookup table and assembly record of Mote.NanoFramework (MetadataProcessor layout).
// The checksum below is a placeholder: the MetadataProcessor computes the real one from the
// compiled managed assembly and the firmware refuses to bind if they differ, so copy it from
// the generated stub (bin/<config>/Stubs/Mote_NanoFramework.cpp) when building a firmware.
#include "Mote_NanoFramework.h"

// clang-format off
// One entry per method of the assembly in metadata order (NULL for managed methods); MoteNative
// has only these three.
static const CLR_RT_MethodHandler method_lookup[] =
{
    Library_Mote_NanoFramework_Mote_NanoFramework_MoteNative::Prepare___STATIC__I4__SZARRAY_U1__SZARRAY_I4,
    Library_Mote_NanoFramework_Mote_NanoFramework_MoteNative::Invoke___STATIC__I4__SZARRAY_U1__SZARRAY_U1__SZARRAY_U1,
    Library_Mote_NanoFramework_Mote_NanoFramework_MoteNative::KernelsUseDsp___STATIC__I4,
};

const CLR_RT_NativeAssemblyData g_CLR_AssemblyNative_Mote_NanoFramework =
{
    "Mote.NanoFramework",
    0x00000000, // checksum: placeholder, see above
    method_lookup,
    { 1, 0, 0, 0 } // AssemblyNativeVersion, as in managed/AssemblyInfo.cs
};
// clang-format on
