using System.Collections.Generic;

namespace Mote.Packer.Profiles
{
    /// <summary>
    /// One board as <c>hardware-profiles/&lt;id&gt;.json</c> describes it (hardware-profiles/README.md):
    /// what the chip is, and how much flash and RAM a model may use there. Loaded and validated
    /// by <see cref="ProfileLoader"/>; every field is required, none has a default.
    /// </summary>
    public sealed class HardwareProfile
    {
        /// <summary>File name without .json, lower-case words joined by '-' (e.g. "esp32-s3").</summary>
        public string Id { get; init; }
        public string Name { get; init; }
        /// <summary>CPU core, e.g. "Arm Cortex-M7".</summary>
        public string Core { get; init; }
        /// <summary>
        /// ISA features the kernels may rely on. A-profile Arm: Linux hwcap names ("asimd", "asimddp");
        /// M-profile Arm: architecture extension names ("dsp", "fpv5-d16"); Xtensa: core option names.
        /// </summary>
        public IReadOnlyList<string> IsaFeatures { get; init; }
        public int ClockMhz { get; init; }
        public long FlashTotalBytes { get; init; }
        public long RamTotalBytes { get; init; }

        /// <summary>Bytes of non-volatile storage the blob may take.</summary>
        public long FlashBudgetBytes { get; init; }
        /// <summary>What the flash budget leaves to the firmware/OS/application, with sources or "estimate".</summary>
        public string FlashBudgetAssumption { get; init; }
        /// <summary>Bytes of RAM a model may use: arena + load-time state + scratch (+ the blob when <see cref="BlobInRam"/>).</summary>
        public long RamBudgetBytes { get; init; }
        public string RamBudgetAssumption { get; init; }

        /// <summary>One of <see cref="KernelTiers"/>.</summary>
        public string KernelTier { get; init; }
        /// <summary>"plain" = the blob header's WeightsLayout 0 (the only layout today).</summary>
        public string WeightLayout { get; init; }
        /// <summary>Byte alignment the board's kernels need for constant blocks; must divide the blob's 16.</summary>
        public int Alignment { get; init; }
        /// <summary>One of <see cref="Runtimes"/>.</summary>
        public string Runtime { get; init; }

        /// <summary>
        /// Load-time state on this runtime ÷ the same state measured on 64-bit .NET (what <c>mote bench</c>
        /// reports as state_bytes). Applied to the host measurement by the fit check.
        /// </summary>
        public double StateOverheadFactor { get; init; }
        public string StateOverheadAssumption { get; init; }
        /// <summary>
        /// True when the runtime holds the whole blob in RAM (Model.Load reads a byte[]; on nanoFramework
        /// a resource or file is copied into the managed heap), so it counts against the RAM budget.
        /// </summary>
        public bool BlobInRam { get; init; }
        /// <summary>Datasheets, firmware sources and docs the numbers come from.</summary>
        public IReadOnlyList<string> Sources { get; init; }
        /// <summary>Where the profile was read from (for messages).</summary>
        public string SourcePath { get; init; }

        public override string ToString() => $"{Id} ({Name})";
    }

    /// <summary>Kernel tiers a profile may name (DESIGN §5). Only the reference tier exists in the runtime today.</summary>
    public static class KernelTiers
    {
        /// <summary>Managed reference kernels (the truth; every runtime has them).</summary>
        public const string ReferenceManaged = "reference-managed";
        /// <summary>Managed SIMD kernels with AdvSimd (NEON) paths, .NET 8+ on arm64.</summary>
        public const string SimdAdvSimd = "simd-advsimd";
        /// <summary>As <see cref="SimdAdvSimd"/> plus SDOT (Arm dot-product extension).</summary>
        public const string SimdSdot = "simd-sdot";
        /// <summary>Portable C kernels in the nanoFramework firmware (ESP32 and others).</summary>
        public const string NativePortableC = "native-portable-c";
        /// <summary>Cortex-M DSP-extension C kernels (SMLAD/SXTB16) in the nanoFramework firmware.</summary>
        public const string NativeCmsisDsp = "native-cmsis-dsp";

        public static readonly string[] All = { ReferenceManaged, SimdAdvSimd, SimdSdot, NativePortableC, NativeCmsisDsp };
    }

    /// <summary>Runtimes a profile may name.</summary>
    public static class Runtimes
    {
        /// <summary>64-bit .NET 8 or later (Raspberry Pi OS arm64): the same object layout as the host.</summary>
        public const string Net8 = "net8";
        /// <summary>Meadow.OS: Mono, 32-bit, netstandard2.1.</summary>
        public const string NetStandardMono = "netstandard2.1-mono";
        /// <summary>.NET nanoFramework 1.x: interpreted CLR, 12-byte heap blocks.</summary>
        public const string NanoFramework = "nanoframework-1.x";

        public static readonly string[] All = { Net8, NetStandardMono, NanoFramework };
    }
}
