using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>RELU, RELU6, LEAKY_RELU and QUANTIZE (int8 -> int8) with hand-derived parameters.</summary>
    public class ActivationTests
    {
        [Fact]
        public void Relu_RequantizesToOutputScaleThenClampsAtOutputZeroPoint()
        {
            // Input scale 0.5 zp 2, output scale 0.25 zp -10 (TFLM CalculateReluOpData):
            // real 2 = 0.5 * 2^2 -> (2^30, 2); min = max(-128, -10) = -10, max 127.
            // out = -10 + 2 * (x - 2), clamped: 0 -> -14 -> -10; 5 -> -4; 2 -> -10; 100 -> 186 -> 127.
            var p = new ReluParams { Size = 4, InputOffset = -2, OutputOffset = -10, OutputMultiplier = 1 << 30, OutputShift = 2,
                ActivationMin = -10, ActivationMax = 127 };
            var output = new byte[4];
            Relu.Eval(p, I8(0, 5, 2, 100), 0, output, 0);
            Assert.Equal(new[] { -10, -4, -10, 127 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Relu_DownscaleRoundsHalvesUp()
        {
            // real 0.5 -> (2^30, 0), zero points 0: 3 -> 1.5 -> 2; 1 -> 0.5 -> 1; -3 -> clamp 0.
            var p = new ReluParams { Size = 3, OutputMultiplier = 1 << 30, ActivationMin = 0, ActivationMax = 127 };
            var output = new byte[3];
            Relu.Eval(p, I8(3, 1, -3), 0, output, 0);
            Assert.Equal(new[] { 2, 1, 0 }, ReadI8(output, 0, 3));
        }

        [Fact]
        public void Relu6_ClampsRawBytesWithoutRequantizing()
        {
            // Lower = input zero point -5, upper = quantized 6.0 on the input scale, e.g. 0.5 -> -5 + 12 = 7.
            var p = new Relu6Params { Size = 5, Lower = -5, Upper = 7 };
            var output = new byte[5];
            Relu6.Eval(p, I8(-100, -5, 0, 7, 50), 0, output, 0);
            Assert.Equal(new[] { -5, -5, 0, 7, 7 }, ReadI8(output, 0, 5));
        }

        [Fact]
        public void LeakyRelu_PositiveAndNegativeSidesUseTheirMultipliers()
        {
            // Input scale 0.5 zp 1, output scale 0.25 zp -1, alpha 0.25 (TFLM CalculateOpDataLeakyRelu):
            // identity 2 -> (2^30, 2); alpha 0.5 -> (2^30, 0).
            //  5: v 4 -> 8 -> 7;  1: v 0 -> 0 -> -1 (v >= 0 uses identity);
            //  -3: v -4 -> -2 -> -3;  -2: v -3 -> -1.5 -> -1 (half up) -> -2;  127: v 126 -> 252 -> 127.
            var p = new LeakyReluParams { Size = 5, InputOffset = -1, OutputOffset = -1, IdentityMultiplier = 1 << 30, IdentityShift = 2,
                AlphaMultiplier = 1 << 30, AlphaShift = 0 };
            var output = new byte[5];
            LeakyRelu.Eval(p, I8(5, 1, -3, -2, 127), 0, output, 0);
            Assert.Equal(new[] { 7, -1, -3, -2, 127 }, ReadI8(output, 0, 5));
        }

        [Fact]
        public void LeakyRelu_NegativeAlpha_MultipliesByMagnitudeThenNegates()
        {
            // alpha -0.5 in output steps: multiplier -2^30. TFLM applies +2^30 then negates:
            // v -4 -> -2 -> +2; v -3 -> -1.5 -> -1 -> +1 (negating after rounding; rounding -(-3)*0.5 would give 2).
            var p = new LeakyReluParams { Size = 2, IdentityMultiplier = 1 << 30, IdentityShift = 1, AlphaMultiplier = -(1 << 30), AlphaShift = 0 };
            var output = new byte[2];
            LeakyRelu.Eval(p, I8(-4, -3), 0, output, 0);
            Assert.Equal(new[] { 2, 1 }, ReadI8(output, 0, 2));
        }

        [Fact]
        public void Quantize_ScaleRatio8_MultipliesAndShiftsZeroPoint()
        {
            // In 0.08 zp -3 -> out 0.01 zp 20 (TFLM PrepareQuantizeReference): ratio 8 = 0.5 * 2^4
            // -> (2^30, 4). out = 20 + 8 * (x + 3): -3 -> 20; 0 -> 44; 10 -> 124; 11 -> 132 -> 127; -20 -> -116.
            var p = new RequantizeParams { Size = 5, InputOffset = 3, OutputOffset = 20, OutputMultiplier = 1 << 30, OutputShift = 4 };
            var output = new byte[5];
            Quantize.Eval(p, I8(-3, 0, 10, 11, -20), 0, output, 0);
            Assert.Equal(new[] { 20, 44, 124, 127, -116 }, ReadI8(output, 0, 5));
        }

        [Fact]
        public void Quantize_EqualScales_IsExactZeroPointShift()
        {
            // Equal scales give (2^30, 1): x * 2 * 0.5 exactly. zp 10 -> -118: out = x - 128, clamped.
            var p = new RequantizeParams { Size = 4, InputOffset = -10, OutputOffset = -118, OutputMultiplier = 1 << 30, OutputShift = 1 };
            var output = new byte[4];
            Quantize.Eval(p, I8(10, 127, -128, 0), 0, output, 0);
            Assert.Equal(new[] { -118, -1, -128, -128 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void Quantize_RatioThreeQuarters_RoundsHalvesUp()
        {
            // 0.75 = 0.75 * 2^0 -> multiplier 0.75 * 2^31 = 1610612736, shift 0.
            // 3 -> 2.25 -> 2; 2 -> 1.5 -> 2; -2 -> -1.5 -> -1; 4 -> 3.
            var p = new RequantizeParams { Size = 4, OutputMultiplier = 1610612736, OutputShift = 0 };
            var output = new byte[4];
            Quantize.Eval(p, I8(3, 2, -2, 4), 0, output, 0);
            Assert.Equal(new[] { 2, 2, -1, 3 }, ReadI8(output, 0, 4));
        }
    }
}
