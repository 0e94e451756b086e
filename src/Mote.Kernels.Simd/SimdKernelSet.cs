using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// Plugs these kernels into an interpreter: <c>interpreter.Kernels = new SimdKernelSet();</c>.
    /// Cases without a SIMD path (see each kernel) run the reference kernel.
    /// </summary>
    public sealed class SimdKernelSet : KernelSet
    {
        /// <summary>The path the kernels take on this machine: "sdot", "advsimd", "vector128" or "reference".</summary>
        public static string ActivePath =>
            Dp.IsSupported ? "sdot" : AdvSimd.Arm64.IsSupported ? "advsimd" : Vector128.IsHardwareAccelerated ? "vector128" : "reference";

        public override void Conv2D(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
            => Simd.Conv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);

        public override void DepthwiseConv2D(ConvParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
            => Simd.DepthwiseConv2D.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);

        public override void FullyConnected(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart, byte[] output, int outputStart)
            => Simd.FullyConnected.Eval(p, input, inputStart, filter, filterStart, bias, biasStart, quant, multiplierStart, shiftStart, output, outputStart);

        public override void Add(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
            => Simd.Add.Eval(p, input1, input1Start, input2, input2Start, output, outputStart);
    }
}
