using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Mote.Runtime.Kernels;

#pragma warning disable CA2252 // AvxVnni is a preview API in the net8.0 reference assembly (docs/simd.md)

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

        /// <summary>
        /// <see cref="ActivePath"/> plus the widest x64 extension the kernels' leaves use on this machine
        /// ("vector128+avxvnni", "vector128+avx2", "vector128+sse41"), for reports: on x64 the portable
        /// Vector128 path hands its hot loops to these leaves (docs/simd.md).
        /// </summary>
        public static string Description
        {
            get
            {
                string path = ActivePath;
                if (path != "vector128") return path;
                return AvxVnni.IsSupported ? "vector128+avxvnni" : Avx2.IsSupported ? "vector128+avx2" : Sse41.IsSupported ? "vector128+sse41" : path;
            }
        }

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

        public override void Svdf(SvdfParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart)
            => Simd.Svdf.Eval(p, inputs, starts, output, outputStart);

        public override void Logistic(FixedPointActivationParams p, byte[] input, int inputStart, byte[] output, int outputStart)
            => Simd.Logistic.Eval(p, input, inputStart, output, outputStart);

        public override void MaxPool2D(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
            => Simd.MaxPool2D.Eval(p, input, inputStart, output, outputStart);

        public override void AveragePool2D(PoolParams p, byte[] input, int inputStart, byte[] output, int outputStart)
            => Simd.AveragePool2D.Eval(p, input, inputStart, output, outputStart);

        public override void AddInt16(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
            => Simd.AddInt16.Eval(p, input1, input1Start, input2, input2Start, output, outputStart);

        public override void SubInt16(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start, byte[] output, int outputStart)
            => Simd.Sub.EvalInt16(p, input1, input1Start, input2, input2Start, output, outputStart);

        public override void LeakyReluInt16(LeakyReluParams p, byte[] input, int inputStart, byte[] output, int outputStart)
            => Simd.LeakyReluInt16.Eval(p, input, inputStart, output, outputStart);

        public override void Pad(PadParams p, byte[] input, int inputStart, byte[] output, int outputStart)
            => Simd.Pad.Eval(p, input, inputStart, output, outputStart);

        public override void Quantize(RequantizeParams p, byte[] input, int inputStart, byte[] output, int outputStart)
            => Simd.Quantize.Eval(p, input, inputStart, output, outputStart);

        public override void StridedSlice(StridedSliceParams p, byte[] input, int inputStart, byte[] output, int outputStart)
            => Simd.StridedSlice.Eval(p, input, inputStart, output, outputStart);

        public override void UnidirectionalSequenceLstm(UnidirectionalSequenceLstmParams p, byte[][] inputs, int[] starts,
            byte[] output, int outputStart, short[] scratch)
            => Simd.UnidirectionalSequenceLstm.Eval(p, inputs, starts, output, outputStart, scratch);
    }
}
