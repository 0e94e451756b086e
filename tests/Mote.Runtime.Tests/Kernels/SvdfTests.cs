using System;
using Mote.Runtime.Kernels;
using Xunit;
using static Mote.Runtime.Tests.Kernels.Conv2DTests;

namespace Mote.Runtime.Tests.Kernels
{
    /// <summary>
    /// SVDF's integer path (TFLM EvalIntegerSvdfReference) on tiny shapes, expectations computed by
    /// hand. Multiplier (2^30, shift 1) is exactly x1; (2^30, shift 0) halves with the rounding
    /// doubling high multiply (halves round up).
    /// </summary>
    public class SvdfTests
    {
        const int One = 1 << 30;

        static byte[] I16(params int[] values)
        {
            var b = new byte[values.Length * 2];
            for (int i = 0; i < values.Length; i++) BitConverter.GetBytes((short)values[i]).CopyTo(b, i * 2);
            return b;
        }

        static int[] ReadI16(byte[] b, int start, int count)
        {
            var r = new int[count];
            for (int i = 0; i < count; i++) r[i] = BitConverter.ToInt16(b, start + 2 * i);
            return r;
        }

        /// <summary>Rank 1, int16 state: batch 1, input 2, filters 2, memory 3, units 2.</summary>
        static SvdfParams Rank1Params() => new SvdfParams
        {
            Batches = 1, InputSize = 2, Filters = 2, Memory = 3, Rank = 1, Units = 2,
            InputOffset = 1, StateZeroPoint = 0, OutputOffset = 3,
            Multiplier1 = One, Shift1 = 1, Multiplier2 = One, Shift2 = 1, StateIsInt16 = true,
        };

        [Fact]
        public void Eval_Rank1Int16State_ShiftsStateAcrossInvocationsAndMatchesHandComputation()
        {
            var p = Rank1Params();
            // Input q = [3, -2], zero point -1: x + 1 = [4, -1].
            // Feature weights [[1, 2], [-3, 5]]: f0 = 4 - 2 = 2, f1 = -12 - 5 = -17 (x1).
            byte[] input = I8(0, 3, -2); // starts at 1
            byte[] wf = I8(1, 2, -3, 5);
            byte[] wt = I16(1, -1, 2, 0, 1, 3);      // f0 [1,-1,2], f1 [0,1,3]
            byte[] bias = I32(100, -5);
            byte[] state = I16(10, 20, 30, 40, 50, 60); // f0 [10,20,30], f1 [40,50,60]
            var inputs = new[] { input, wf, wt, bias, state };
            var starts = new[] { 1, 0, 0, 0, 0 };
            var output = new byte[3];

            // Invocation 1. Flat shift left by one: [20,30,40,50,60,60]; newest slots 2 and 5 get 2 and -17:
            // f0 [20,30,2], f1 [50,60,-17]. Time: f0 = 20 - 30 + 4 = -6, f1 = 0 + 60 - 51 = 9.
            // Plus bias: 94, 4; x1, + output zero point 3: 97, 7.
            Svdf.Eval(p, inputs, starts, output, 1);
            Assert.Equal(new[] { 20, 30, 2, 50, 60, -17 }, ReadI16(state, 0, 6));
            Assert.Equal(new[] { 0, 97, 7 }, ReadI8(output, 0, 3));

            // Invocation 2, same input. Shift: [30,2,50,60,-17,-17]; newest: f0 [30,2,2], f1 [60,-17,-17].
            // Time: f0 = 30 - 2 + 4 = 32, f1 = 0 - 17 - 51 = -68. Plus bias: 132, -73; + 3: 135 -> 127, -70.
            // -70 lies below the output zero point: no fused activation is applied (TFLM's integer path).
            Svdf.Eval(p, inputs, starts, output, 1);
            Assert.Equal(new[] { 30, 2, 2, 60, -17, -17 }, ReadI16(state, 0, 6));
            Assert.Equal(new[] { 0, 127, -70 }, ReadI8(output, 0, 3));
        }

        [Fact]
        public void Eval_FeatureResultOutsideInt16_IsClampedBeforeItEntersTheState()
        {
            var p = Rank1Params();
            p.Shift1 = 15; // x 2^14: f0 = 2 * 16384 = 32768 -> 32767, f1 = -17 * 16384 = -278528 -> -32768
            p.Multiplier2 = 0; // output = zero point
            byte[] state = I16(0, 0, 0, 0, 0, 0);
            var output = new byte[2];
            Svdf.Eval(p, new[] { I8(3, -2), I8(1, 2, -3, 5), I16(1, 1, 1, 1, 1, 1), null, state }, new[] { 0, 0, 0, -1, 0 }, output, 0);
            Assert.Equal(new[] { 0, 0, 32767, 0, 0, -32768 }, ReadI16(state, 0, 6));
            Assert.Equal(new[] { 3, 3 }, ReadI8(output, 0, 2));
        }

        [Fact]
        public void Eval_Rank2Int8StateWithZeroPoint_ReducesPairsAndWrapsLikeTflm()
        {
            // Batch 1, input 1, filters 4, rank 2 -> units 2, memory 2; state int8, zero point -50, all at the
            // zero point (a reset state). Input 5 (offset 0), feature weights [1, 2, -30, -1]: 5, 10, -150, -5;
            // clamped to int8: 5, 10, -128, -5; plus the zero point -50: -45, -40, -178, -55, where -178 does
            // not fit int8 and wraps to 78 (TFLM stores zero point + value into int8 unchecked).
            var p = new SvdfParams
            {
                Batches = 1, InputSize = 1, Filters = 4, Memory = 2, Rank = 2, Units = 2,
                InputOffset = 0, StateZeroPoint = -50, OutputOffset = -100,
                Multiplier1 = One, Shift1 = 1, Multiplier2 = One, Shift2 = 0, StateIsInt16 = false,
            };
            byte[] state = I8(-50, -50, -50, -50, -50, -50, -50, -50);
            byte[] wt = I8(1, 2, 3, 4, 1, 1, 2, -1); // f0 [1,2], f1 [3,4], f2 [1,1], f3 [2,-1]
            var output = new byte[2];
            Svdf.Eval(p, new[] { I8(5), I8(1, 2, -30, -1), wt, null, state }, new[] { 0, 0, 0, -1, 0 }, output, 0);
            Assert.Equal(new[] { -50, -45, -50, -40, -50, 78, -50, -55 }, ReadI8(state, 0, 8));
            // Time (state - zero point): f0 = 2*5 = 10, f1 = 4*10 = 40, f2 = 1*128 = 128, f3 = -1*-5 = 5.
            // Units: f0 + f1 = 50, f2 + f3 = 133; halved (133 / 2 = 66.5 rounds up to 67): 25, 67; - 100.
            Assert.Equal(new[] { -75, -33 }, ReadI8(output, 0, 2));
        }

        [Fact]
        public void Eval_TwoBatches_KeepSeparateStateRows()
        {
            // Batch 2, input 1, filters 1, rank 1, memory 2, int16 state, no bias, x1 everywhere.
            var p = new SvdfParams
            {
                Batches = 2, InputSize = 1, Filters = 1, Memory = 2, Rank = 1, Units = 1,
                InputOffset = 0, StateZeroPoint = 0, OutputOffset = 0,
                Multiplier1 = One, Shift1 = 1, Multiplier2 = One, Shift2 = 1, StateIsInt16 = true,
            };
            byte[] state = I16(1, 2, 3, 4); // batch 0 [1,2], batch 1 [3,4]
            var output = new byte[2];
            // Input [7, -9], weight 2: 14, -18. Flat shift: [2,3,4,4] -> newest slots 1 and 3: [2,14], [4,-18].
            // Time weights [10, 1]: 20 + 14 = 34, 40 - 18 = 22.
            Svdf.Eval(p, new[] { I8(7, -9), I8(2), I16(10, 1), null, state }, new[] { 0, 0, 0, -1, 0 }, output, 0);
            Assert.Equal(new[] { 2, 14, 4, -18 }, ReadI16(state, 0, 4));
            Assert.Equal(new[] { 34, 22 }, ReadI8(output, 0, 2));
        }
    }
}
