using System;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    public class SoftmaxTests
    {
        // Hand-derived params for beta 1 and input scale 1/16 (TFLM
        // PreprocessSoftmaxScaling with 5 integer bits): real multiplier
        // 1/16 * 2^26 = 2^22 = 0.5 * 2^23 -> (2^30, 23); so a diff d becomes
        // d * 2^22 raw in Q5.26, i.e. d / 16. CalculateInputRadius:
        // floor(31 * 2^26 / 2^23) = 248 -> DiffMin -248.
        private static SoftmaxParams Params(int rows, int depth)
        {
            return new SoftmaxParams
            {
                Rows = rows, Depth = depth,
                InputMultiplier = 1 << 30, InputLeftShift = 23, DiffMin = -248,
            };
        }

        private static int[] Run(SoftmaxParams p, int[] values)
        {
            byte[] output = new byte[values.Length];
            Softmax.Eval(p, I8(values), 0, output, 0);
            return ReadI8(output, 0, values.Length);
        }

        private static int[] Repeat(int value, int count)
        {
            var r = new int[count];
            for (int i = 0; i < count; i++) r[i] = value;
            return r;
        }

        // Independent double-precision softmax, quantized to scale 1/256, zero point -128.
        private static int[] DoubleReference(int[] row, double scale)
        {
            int max = int.MinValue;
            foreach (int v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (int v in row) sum += Math.Exp((v - max) * scale);
            var r = new int[row.Length];
            for (int i = 0; i < row.Length; i++)
            {
                double prob = Math.Exp((row[i] - max) * scale) / sum;
                r[i] = (int)Math.Max(-128, Math.Min(127, Math.Round(prob * 256, MidpointRounding.AwayFromZero) - 128));
            }
            return r;
        }

        [Fact]
        public void Eval_SingleElementRow_GivesProbabilityOneSaturatedTo127()
        {
            // p = 1 -> 256 - 128 = 128, clamped to 127.
            Assert.Equal(new[] { 127 }, Run(Params(1, 1), new[] { -7 }));
        }

        [Theory]
        [InlineData(2, 0)]     // p = 1/2 -> 128 - 128
        [InlineData(4, -64)]   // p = 1/4 -> 64 - 128
        [InlineData(256, -127)] // p = 1/256 -> 1 - 128
        [InlineData(511, -127)] // p = 1/511 -> 0.501 -> 1 - 128; sum 511 is still below TFLM's limit
        public void Eval_EqualValuesBelowLimit_GiveEqualExactProbabilities(int depth, int expected)
        {
            Assert.Equal(Repeat(expected, depth), Run(Params(1, depth), Repeat(33, depth)));
        }

        [Theory]
        [InlineData(512)]
        [InlineData(1001)]
        [InlineData(4096)]
        [InlineData(10000)]
        public void Eval_EqualValuesAtOrAboveTfliteLimit_DoNotThrowAndGiveMinus128Everywhere(int depth)
        {
            // TFLM aborts here (exponent check in reference_ops::Softmax). Mote's
            // documented result: every probability is at most 1/512, below half an
            // output step, so all elements are the zero point -128.
            int[] result = null;
            var ex = Record.Exception(() => result = Run(Params(1, depth), Repeat(-5, depth)));
            Assert.Null(ex);
            Assert.Equal(Repeat(-128, depth), result);
        }

        [Fact]
        public void Eval_RowOverLimitThenNormalRow_SecondRowUnaffected()
        {
            // Row 0: 512 equal values (over the limit) -> all -128.
            // Row 1: one-hot 127 among -128: the others have diff -255 < DiffMin -248,
            // so only the maximum is summed: p = 1 -> 127, the rest -128.
            const int depth = 512;
            var values = new int[2 * depth];
            for (int i = 0; i < depth; i++) values[i] = 12;
            for (int i = depth; i < 2 * depth; i++) values[i] = -128;
            values[depth + 300] = 127;
            var expected = Repeat(-128, 2 * depth);
            expected[depth + 300] = 127;

            Assert.Equal(expected, Run(Params(2, depth), values));
        }

        [Fact]
        public void Eval_OneHot1001_MaximumGetsAllProbability()
        {
            var values = Repeat(-128, 1001);
            values[17] = 127;
            var expected = Repeat(-128, 1001);
            expected[17] = 127;

            Assert.Equal(expected, Run(Params(1, 1001), values));
        }

        [Fact]
        public void Eval_ThreeValuesHandComputed_MatchesRoundedProbabilities()
        {
            // Row (16, 0, -16) at scale 1/16: exps 1, e^-1, e^-2; sum 1.503215.
            // p = 0.665241, 0.244728, 0.090031 -> * 256 = 170.30, 62.65, 23.05
            // -> 170, 63, 23 -> minus 128: 42, -65, -105.
            Assert.Equal(new[] { 42, -65, -105 }, Run(Params(1, 3), new[] { 16, 0, -16 }));
        }

        [Fact]
        public void Eval_RandomRows_WithinOneOfDoubleReference()
        {
            var rng = new Random(2024);
            foreach (int depth in new[] { 3, 10, 100, 1001 })
            {
                for (int trial = 0; trial < 20; trial++)
                {
                    var row = new int[depth];
                    // Narrow ranges keep the sum of exps below the limit for long rows.
                    int lo = depth >= 100 ? -128 : -128 + rng.Next(0, 200);
                    for (int i = 0; i < depth; i++) row[i] = rng.Next(lo, 128);
                    if (depth >= 100) row[rng.Next(depth)] = 127;
                    int[] expected = DoubleReference(row, 1.0 / 16);
                    int[] actual = Run(Params(1, depth), row);
                    for (int i = 0; i < depth; i++)
                    {
                        Assert.True(Math.Abs(expected[i] - actual[i]) <= 1,
                            $"depth {depth} trial {trial} index {i}: {actual[i]} vs {expected[i]}");
                    }
                }
            }
        }

        // ---- int8 -> int16 (output scale 1/65536, zero point -32768)

        private static int[] RunInt16(SoftmaxParams p, int[] values)
        {
            p.OutputIsInt16 = true;
            byte[] output = new byte[2 * values.Length + 2];
            Softmax.Eval(p, I8(values), 0, output, 2);
            Assert.Equal(0, output[0] | output[1]); // nothing written before the start
            var r = new int[values.Length];
            for (int i = 0; i < r.Length; i++) r[i] = BitConverter.ToInt16(output, 2 + 2 * i);
            return r;
        }

        [Theory]
        [InlineData(1, 32767)]   // p = 1 -> 65536 - 32768 = 32768, clamped
        [InlineData(2, 0)]       // p = 1/2 -> 32768 - 32768
        [InlineData(4, -16384)]  // p = 1/4 -> 16384 - 32768
        [InlineData(512, -32640)] // p = 1/512 -> 128 - 32768: past the int8 output's limit, fine for int16
        [InlineData(4095, -32752)] // p = 1/4095 -> 16.004 -> 16 - 32768; sum 4095 still fits TFLM's int32
        public void Eval_Int16OutputEqualValues_GiveEqualExactProbabilities(int depth, int expected)
        {
            Assert.Equal(Repeat(expected, depth), RunInt16(Params(1, depth), Repeat(-20, depth)));
        }

        [Fact]
        public void Eval_Int16OutputSumOverflowingTflmInt32_GivesMinusEverywhereWithoutThrowing()
        {
            Assert.Equal(Repeat(-32768, 4096), RunInt16(Params(1, 4096), Repeat(3, 4096)));
        }

        [Fact]
        public void Eval_Int16OutputThreeValuesHandComputed_MatchesRoundedProbabilities()
        {
            // Row (16, 0, -16) at scale 1/16: p = 0.665241, 0.244728, 0.090031 -> * 65536 =
            // 43597.2, 16038.5, 5900.2 -> minus 32768: 10829, -16729, -26868 (within one step of TFLM's fixed point).
            var actual = RunInt16(Params(1, 3), new[] { 16, 0, -16 });
            var expected = new[] { 10829, -16729, -26868 };
            for (int i = 0; i < 3; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1, $"index {i}: {actual[i]} vs {expected[i]}");
        }
    }
}
