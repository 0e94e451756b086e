using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class DepthwiseConv2DTests
    {
        [Fact]
        public void Eval_DepthMultiplier2SamePadding_MatchesHandComputation()
        {
            // Input 1x2x2x2 (Cin = 2), zero point 0:
            //   pixel (0,0) = (1, 10), (0,1) = (2, 20), (1,0) = (3, 30), (1,1) = (4, 40).
            // DepthMultiplier 2 -> Cout 4, oc = ic * 2 + m. Filter [1, 2, 2, 4], index
            // (ky * 2 + kx) * 4 + oc:
            //   oc0 (ic0): all ones          oc1 (ic0): only tap (0,0)
            //   oc2 (ic1): all ones          oc3 (ic1): only tap (1,1)
            // Bias (0, 100, 0, -5). SAME 2x2 stride 1 on 2x2: output 2x2, pad top/left 0.
            // oc0..oc2: multiplier 2^30, shift 1 -> x 1. oc3: multiplier 2^30, shift 0
            // -> x 0.5 with halves rounded up.
            //  (0,0): oc0 1+2+3+4 = 10; oc1 1+100 = 101; oc2 100; oc3 (40-5)*0.5 = 17.5 -> 18
            //  (0,1): oc0 2+4 = 6;      oc1 102;         oc2 60;  oc3 tap (1,2) outside: -5*0.5 -> -2
            //  (1,0): oc0 3+4 = 7;      oc1 103;         oc2 70;  oc3 -2
            //  (1,1): oc0 4;            oc1 104;         oc2 40;  oc3 -2
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 2, InputWidth = 2, InputChannels = 2,
                FilterHeight = 2, FilterWidth = 2,
                OutputHeight = 2, OutputWidth = 2, OutputChannels = 4,
                StrideHeight = 1, StrideWidth = 1, DilationHeight = 1, DilationWidth = 1,
                DepthMultiplier = 2,
                InputOffset = 0, OutputOffset = 0,
                ActivationMin = -128, ActivationMax = 127,
            };
            byte[] input = I8(1, 10, 2, 20, 3, 30, 4, 40);
            byte[] filter = I8(
                1, 1, 1, 0,   // tap (0,0)
                1, 0, 1, 0,   // tap (0,1)
                1, 0, 1, 0,   // tap (1,0)
                1, 0, 1, 1);  // tap (1,1)
            byte[] bias = I32(0, 100, 0, -5);
            byte[] quant = I32(1 << 30, 1 << 30, 1 << 30, 1 << 30, 1, 1, 1, 0);
            byte[] output = new byte[16];

            DepthwiseConv2D.Eval(p, input, 0, filter, 0, bias, 0, quant, 0, 16, output, 0);

            Assert.Equal(new[] { 10, 101, 100, 18, 6, 102, 60, -2, 7, 103, 70, -2, 4, 104, 40, -2 }, ReadI8(output, 0, 16));
        }

        [Fact]
        public void Eval_InputOffsetDilationAndRelu_MatchesHandComputation()
        {
            // Input 1x3x3x1, zero point -128 (InputOffset 128): q = -128 + v with
            // v = 0..8 row-major. Filter 1x2x2x1 = (1, -1, -1, 1), dilation 2, stride 1,
            // VALID: output 1x1 = v(0,0) - v(0,2) - v(2,0) + v(2,2) = 0 - 2 - 6 + 8 = 0.
            // Bias -3 -> -3. x 1 rescale, OutputOffset -100 -> -103; RELU min -100 -> -100.
            var p = new ConvParams
            {
                Batches = 1, InputHeight = 3, InputWidth = 3, InputChannels = 1,
                FilterHeight = 2, FilterWidth = 2,
                OutputHeight = 1, OutputWidth = 1, OutputChannels = 1,
                StrideHeight = 1, StrideWidth = 1, DilationHeight = 2, DilationWidth = 2,
                DepthMultiplier = 1,
                InputOffset = 128, OutputOffset = -100,
                ActivationMin = -100, ActivationMax = 127,
            };
            byte[] input = I8(-128, -127, -126, -125, -124, -123, -122, -121, -120);
            byte[] output = new byte[1];

            DepthwiseConv2D.Eval(p, input, 0, I8(1, -1, -1, 1), 0, I32(-3), 0, I32(1 << 30, 1), 0, 4, output, 0);

            Assert.Equal(new[] { -100 }, ReadI8(output, 0, 1));
        }
    }
}
