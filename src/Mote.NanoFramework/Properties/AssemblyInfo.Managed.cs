// Assembly attributes of the managed-only nanoFramework build (MoteNativeKernels=false): no
// AssemblyNativeVersion, so it deploys to any nanoFramework 1.x firmware.
using System.Reflection;

[assembly: AssemblyTitle("Mote.Runtime")]
[assembly: AssemblyDescription("Mote int8 runtime, managed reference kernels (nanoFramework)")]
