// Assembly attributes of Mote.NanoFramework. The native version must match the one in
// firmware/nanoframework/native/Mote_NanoFramework.cpp; bump both when MoteNative changes.
using System.Reflection;
using System.Runtime.CompilerServices;

[assembly: AssemblyTitle("Mote.NanoFramework")]
[assembly: AssemblyNativeVersion("1.0.0.0")]
