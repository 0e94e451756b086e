using Mote.Runtime.Format;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>
    /// Issue 9's element-wise kernels: int16 ADD (TFLM add.cc int16 path), SUB int8 and int16
    /// (sub.cc), int16 LEAKY_RELU (leaky_relu.cc). Expected values are hand-computed.
    /// </summary>
    public class Int16ElementwiseTests
    {
        internal static byte[] I16(params int[] values)
        {
            var b = new byte[values.Length * 2];
            for (int i = 0; i < values.Length; i++)
            {
                b[2 * i] = unchecked((byte)values[i]);
                b[2 * i + 1] = unchecked((byte)(values[i] >> 8));
            }
            return b;
        }

        internal static int[] ReadI16(byte[] b, int start, int count)
        {
            var r = new int[count];
            for (int i = 0; i < count; i++) r[i] = (short)(b[start + 2 * i] | (b[start + 2 * i + 1] << 8));
            return r;
        }

        // Input1 scale 0.5, input2 scale 0.25, output scale 0.5, zero points 0 (TFLM
        // CalculateOpDataAdd/Sub for int16): left shift 15; twice_max = 1.0; input1 multiplier
        // 0.5 -> (2^30, 0), input2 0.25 -> (2^30, -1); output 1 / (2^15 * 0.5) = 2^-14 -> (2^30, -13).
        // Exactly: scaled1 = x1 * 2^14, scaled2 = x2 * 2^13, and the output is
        // round((scaled1 +- scaled2) / 2^14) = round(x1 +- x2 / 2), halves away from zero.
        private static AddParams Int16Params(int actMin, int actMax)
        {
            return new AddParams
            {
                ElementType = DataType.Int16,
                LeftShift = 15,
                Input1Multiplier = 1 << 30, Input1Shift = 0,
                Input2Multiplier = 1 << 30, Input2Shift = -1,
                OutputMultiplier = 1 << 30, OutputShift = -13,
                ActivationMin = actMin, ActivationMax = actMax,
            };
        }

        [Fact]
        public void AddInt16_SameShape_RoundsHalvesAwayAndSaturatesAtInt16Limits()
        {
            //  (100, 51):        100 + 25.5 = 125.5   -> 126
            //  (-100, -51):      -125.5               -> -126
            //  (32767, -1):      32766.5              -> 32767
            //  (30000, 30000):   45000                -> 32767
            //  (-32768, -32768): -49152               -> -32768
            //  (-32768, 32767):  -32768 + 16383.5 = -16384.5 -> -16385
            var p = Int16Params(-32768, 32767);
            p.FlatSize = 6;
            byte[] output = new byte[12];

            AddInt16.Eval(p, I16(100, -100, 32767, 30000, -32768, -32768), 0, I16(51, -51, -1, 30000, -32768, 32767), 0, output, 0);

            Assert.Equal(new[] { 126, -126, 32767, 32767, -32768, -16385 }, ReadI16(output, 0, 6));
        }

        [Fact]
        public void AddInt16_ActivationRangeClampsAndByteStartsAreHonoured()
        {
            // Activation [0, 1000] (a fused RELU-like range). Inputs start at byte 2 / 4, output at byte 6.
            //  (5, -20): 5 - 10 = -5 -> 0;  (2000, 0) -> 1000;  (10, 3): 11.5 -> 12.
            var p = Int16Params(0, 1000);
            p.FlatSize = 3;
            byte[] in1 = new byte[2 + 6], in2 = new byte[4 + 6], output = new byte[6 + 6 + 2];
            I16(5, 2000, 10).CopyTo(in1, 2);
            I16(-20, 0, 3).CopyTo(in2, 4);
            output[12] = 0x5A;

            AddInt16.Eval(p, in1, 2, in2, 4, output, 6);

            Assert.Equal(new[] { 0, 1000, 12 }, ReadI16(output, 6, 3));
            Assert.Equal(0, output[0] | output[5]);
            Assert.Equal(0x5A, output[12]);
        }

        [Fact]
        public void AddInt16_BroadcastBothInputs_MatchesHandComputation()
        {
            // in1 [1,2,1,1] = (10, -10) indexed by d1; in2 [1,1,1,3] = (2, 4, -6) indexed by d3.
            // out [1,2,1,3] (d1, d3) = in1[d1] + in2[d3] / 2 = 11, 12, 7, -9, -8, -13.
            var p = Int16Params(-32768, 32767);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 2, 1, 1 };
            p.Input2Shape = new[] { 1, 1, 1, 3 };
            p.OutputShape = new[] { 1, 2, 1, 3 };
            byte[] output = new byte[12];

            AddInt16.Eval(p, I16(10, -10), 0, I16(2, 4, -6), 0, output, 0);

            Assert.Equal(new[] { 11, 12, 7, -9, -8, -13 }, ReadI16(output, 0, 6));
        }

        [Fact]
        public void SubInt16_SameShape_RoundsAndSaturatesBothWays()
        {
            // round(x1 - x2 / 2): (100, 51) 74.5 -> 75; (-100, -51) -74.5 -> -75;
            // (-30000, 30000) -45000 -> -32768; (30000, -30000) 45000 -> 32767;
            // (0, 1) -0.5 -> -1 (away from zero).
            var p = Int16Params(-32768, 32767);
            p.FlatSize = 5;
            byte[] output = new byte[10];

            Sub.EvalInt16(p, I16(100, -100, -30000, 30000, 0), 0, I16(51, -51, 30000, -30000, 1), 0, output, 0);

            Assert.Equal(new[] { 75, -75, -32768, 32767, -1 }, ReadI16(output, 0, 5));
        }

        [Fact]
        public void SubInt16_BroadcastLastDimensionWithActivationMax_MatchesHandComputation()
        {
            // The seanet shape pattern: in1 [1,1,2,2] minus in2 [2] (extended [1,1,1,2]).
            // in1 (10, 20, 30, 40), in2 (4, -4): 10 - 2, 20 + 2, 30 - 2, 40 + 2 = 8, 22, 28, 42,
            // activation max 25 -> 8, 22, 25, 25.
            var p = Int16Params(-32768, 25);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 1, 2, 2 };
            p.Input2Shape = new[] { 1, 1, 1, 2 };
            p.OutputShape = new[] { 1, 1, 2, 2 };
            byte[] output = new byte[8];

            Sub.EvalInt16(p, I16(10, 20, 30, 40), 0, I16(4, -4), 0, output, 0);

            Assert.Equal(new[] { 8, 22, 25, 25 }, ReadI16(output, 0, 4));
        }

        // int8 SUB with ADD's test quantization (AddTests): scales 0.5, 0.25 -> 0.5, left shift 20,
        // output multiplier 2^-19 -> (2^30, -18).
        private static AddParams Int8Params(int in1Zp, int in2Zp, int outZp, int actMin, int actMax)
        {
            return new AddParams
            {
                LeftShift = 20,
                Input1Offset = -in1Zp, Input1Multiplier = 1 << 30, Input1Shift = 0,
                Input2Offset = -in2Zp, Input2Multiplier = 1 << 30, Input2Shift = -1,
                OutputOffset = outZp, OutputMultiplier = 1 << 30, OutputShift = -18,
                ActivationMin = actMin, ActivationMax = actMax,
            };
        }

        [Fact]
        public void SubInt8_SameShapeWithOffsetsRoundingAndClamp_MatchesHandComputation()
        {
            // Zero points in1 2, in2 -1, out 10; activation [-128, 100].
            // out = 10 + round((q1 - 2) - (q2 + 1) / 2):
            //  (6, 3): 4 - 2 = 2 -> 12;  (3, 0): 0.5 -> 1 -> 11;  (1, 0): -1.5 -> -2 -> 8;
            //  (127, -128): 125 + 63.5 = 188.5 -> clamp 100;  (-128, 127): -130 - 64 = -194 -> clamp -128.
            var p = Int8Params(2, -1, 10, -128, 100);
            p.FlatSize = 5;
            byte[] output = new byte[5];

            Sub.Eval(p, I8(6, 3, 1, 127, -128), 0, I8(3, 0, 0, -128, 127), 0, output, 0);

            Assert.Equal(new[] { 12, 11, 8, 100, -128 }, ReadI8(output, 0, 5));
        }

        [Fact]
        public void SubInt8_BroadcastFirstInput_MatchesHandComputation()
        {
            // in1 [1,1,1,2] real (1, -1) at scale 0.5 (q 2, -2); in2 [1,2,1,2] real 1..4 at scale 0.25
            // (q 4, 8, 12, 16). out = in1[c] - in2[y, c] at scale 0.5:
            // (1 - 1, -1 - 2, 1 - 3, -1 - 4) = (0, -3, -2, -5) -> q (0, -6, -4, -10).
            var p = Int8Params(0, 0, 0, -128, 127);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 1, 1, 2 };
            p.Input2Shape = new[] { 1, 2, 1, 2 };
            p.OutputShape = new[] { 1, 2, 1, 2 };
            byte[] output = new byte[4];

            Sub.Eval(p, I8(2, -2), 0, I8(4, 8, 12, 16), 0, output, 0);

            Assert.Equal(new[] { 0, -6, -4, -10 }, ReadI8(output, 0, 4));
        }

        [Fact]
        public void LeakyReluInt16_OffsetsAndBothSides_MatchHandComputation()
        {
            // Identity 2 -> (2^30, 2), alpha 0.5 -> (2^30, 0); input zero point 10 (offset -10), output -5.
            //  110:    v 100    -> 200 - 5 = 195
            //  20000:  v 19990  -> 39980 - 5 -> 32767
            //  8:      v -2     -> -1 - 5 = -6
            //  7:      v -3     -> -1.5 rounds up to -1 (SaturatingRoundingDoublingHighMul) -> -6
            //  -32768: v -32778 -> -16389 - 5 = -16394
            var p = new LeakyReluParams
            {
                ElementType = DataType.Int16, Size = 5, InputOffset = -10, OutputOffset = -5,
                IdentityMultiplier = 1 << 30, IdentityShift = 2, AlphaMultiplier = 1 << 30, AlphaShift = 0,
            };
            byte[] output = new byte[10];

            LeakyReluInt16.Eval(p, I16(110, 20000, 8, 7, -32768), 0, output, 0);

            Assert.Equal(new[] { 195, 32767, -6, -6, -16394 }, ReadI16(output, 0, 5));
        }

        [Fact]
        public void LeakyReluInt16_LargeAndNegativeAlpha_SaturateAtBothLimits()
        {
            // Identity 1 -> (2^30, 1); alpha 2 -> (2^30, 2): -20000 -> -40000 -> -32768, -16383 -> -32766,
            // -16384 -> -32768, 32767 -> 32767.
            var p = new LeakyReluParams
            {
                ElementType = DataType.Int16, Size = 4,
                IdentityMultiplier = 1 << 30, IdentityShift = 1, AlphaMultiplier = 1 << 30, AlphaShift = 2,
            };
            byte[] output = new byte[8];
            LeakyReluInt16.Eval(p, I16(-20000, -16383, -16384, 32767), 0, output, 0);
            Assert.Equal(new[] { -32768, -32766, -32768, 32767 }, ReadI16(output, 0, 4));

            // alpha -2: TFLM multiplies by the magnitude and negates: -20000 -> 40000 -> 32767, -100 -> 200.
            p.AlphaMultiplier = -(1 << 30);
            p.Size = 2;
            LeakyReluInt16.Eval(p, I16(-20000, -100), 0, output, 0);
            Assert.Equal(new[] { 32767, 200 }, ReadI16(output, 0, 2));
        }
    

        // MUL int16: scales 2^-8, 2^-8 -> 2^-10, zero points 0 (TFLM CalculateOpDataMul):
        // real 2^-6 -> QuantizeMultiplier (2^30, -5), so out = x1 * x2 / 64, rounded twice
        // (SaturatingRoundingDoublingHighMul halves, then RoundingDivideByPOT by 5).
        private static MulParams MulInt16Params(int actMin, int actMax)
        {
            return new MulParams
            {
                ElementType = DataType.Int16, OutputMultiplier = 1 << 30, OutputShift = -5,
                ActivationMin = actMin, ActivationMax = actMax,
            };
        }

        [Fact]
        public void MulInt16_SameShape_RoundsAndSaturatesAtInt16Limits()
        {
            //  (8, 12):          96 / 64 = 1.5      -> 2
            //  (-8, 12):         -1.5               -> -2 (RoundingDivideByPOT: away from zero)
            //  (100, 3):         300 / 64 = 4.69    -> 5
            //  (32767, 32767):   16776192.02        -> 32767
            //  (-32768, 32767):  -16776704          -> -32768
            //  (-32768, -32768): 2^30 / 64 = 2^24   -> 32767
            var p = MulInt16Params(-32768, 32767);
            p.FlatSize = 6;
            byte[] output = new byte[12];

            MulInt16.Eval(p, I16(8, -8, 100, 32767, -32768, -32768), 0, I16(12, 12, 3, 32767, 32767, -32768), 0, output, 0);

            Assert.Equal(new[] { 2, -2, 5, 32767, -32768, 32767 }, ReadI16(output, 0, 6));
        }

        [Fact]
        public void MulInt16_BroadcastLastDimensionWithActivationRange_MatchesHandComputation()
        {
            // in1 [1,1,2,2] (10, 20, 30, 40) times in2 [1,1,1,2] (64, -64): 10, -20, 30, -40; activation [-25, 25].
            var p = MulInt16Params(-25, 25);
            p.Broadcast = true;
            p.Input1Shape = new[] { 1, 1, 2, 2 };
            p.Input2Shape = new[] { 1, 1, 1, 2 };
            p.OutputShape = new[] { 1, 1, 2, 2 };
            byte[] output = new byte[2 + 8];

            MulInt16.Eval(p, I16(10, 20, 30, 40), 0, I16(64, -64), 0, output, 2);

            Assert.Equal(new[] { 10, -20, 25, -25 }, ReadI16(output, 2, 4));
        }
    }
}
