// The managed side of Mote's nanoFramework interop: the one class whose methods the native
// firmware implements (firmware/nanoframework/native/). It belongs in an nfproj named
// Mote.NanoFramework (firmware/README.md, "nanoFramework"); the nanoFramework
// MetadataProcessor generates the native stubs and the assembly checksum from it.
//
// ABI rules: the native code finds these methods by their position in the class, so the
// method order and signatures are the contract. Any change to them must bump
// AssemblyNativeVersion (AssemblyInfo.cs) and regenerate the stubs.
using System.Runtime.CompilerServices;

namespace Mote.NanoFramework
{
    /// <summary>
    /// Runs a .mote blob with the native int8 kernels (Cortex-M DSP or portable C, chosen when
    /// the firmware was built). The caller owns every buffer: the blob, an arena of
    /// <c>sizes[0]</c> bytes and a scratch buffer of <c>sizes[1]</c> bytes from <see cref="Prepare"/>.
    /// Inputs are written into the arena and outputs read from it at the offsets Mote.Runtime's
    /// Model reports for the model's input and output tensors.
    /// </summary>
    public static class MoteNative
    {
        /// <summary>Status codes returned by the native methods (mote_status in mote_kernels.h).</summary>
        public const int Ok = 0, ErrorArgument = -1, ErrorScratch = -2;

        /// <summary>
        /// Validates the blob (header, CRC-32, sections, every operator the native driver runs) and
        /// writes the arena size to sizes[0] and the scratch size to sizes[1]. Returns a status code.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int Prepare(byte[] blob, int[] sizes);

        /// <summary>
        /// Runs every operator once. The blob must have passed <see cref="Prepare"/> (the CRC is not
        /// checked again); arena and scratch must be at least the sizes it reported.
        /// Returns a status code.
        /// </summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int Invoke(byte[] blob, byte[] arena, byte[] scratch);

        /// <summary>1 when the firmware's kernels use the Cortex-M DSP instructions, 0 for portable C.</summary>
        [MethodImpl(MethodImplOptions.InternalCall)]
        public static extern int KernelsUseDsp();
    }
}
