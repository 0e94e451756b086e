namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// SVDF, integer path: int8 input and feature weights, int16 (or int8) time weights and
    /// state, optional int32 bias, int8 output. Follows TFLM's EvalIntegerSvdfReference
    /// (kernels/svdf_common.cc), which dispatches on the time weights' type and reads the time
    /// weights and the state with that one type.
    /// </summary>
    /// <remarks>
    /// The state is a variable tensor of Batches rows, each Filters x Memory values (filter f's
    /// history is Memory consecutive values, oldest first). One invocation:
    /// 1. shifts the whole state buffer left by one element (a flat copy, as TFLM does: each
    ///    filter's oldest value drops out and the last slot of each filter then holds the next
    ///    filter's oldest value until step 2 overwrites it);
    /// 2. writes each filter's feature dot product, sum_i w[f, i] * (x[b, i] + InputOffset),
    ///    requantized with (Multiplier1, Shift1), clamped to the state type's range, plus
    ///    StateZeroPoint (stored truncated to the state type), into the filter's newest slot;
    /// 3. per output unit u: bias[u] (0 without bias) plus, for its Rank filters f = u*Rank + r,
    ///    sum_j wt[f, j] * (state[b, f, j] - StateZeroPoint), all int32 with wrap-around;
    /// 4. requantizes that with (Multiplier2, Shift2), adds OutputOffset and clamps to int8.
    /// TFLM's integer path applies no fused activation (only the int8 clamp), and neither does this.
    /// No scratch memory is needed: the sum of step 3 is formed per unit (int32 addition wraps, so
    /// the order TFLM adds in does not change the result).
    /// </remarks>
    public static class Svdf
    {
        /// <summary>Input indices (TFLM's kSvdf*Tensor).</summary>
        public const int InputTensor = 0, WeightsFeatureTensor = 1, WeightsTimeTensor = 2, BiasTensor = 3, StateTensor = 4;

        /// <summary>
        /// inputs / starts: the five inputs (input, weights_feature, weights_time, bias, state);
        /// an absent bias is null / -1. The state is read and written in place.
        /// </summary>
        public static void Eval(SvdfParams p, byte[][] inputs, int[] starts, byte[] output, int outputStart)
        {
            byte[] input = inputs[InputTensor], wf = inputs[WeightsFeatureTensor], wt = inputs[WeightsTimeTensor];
            byte[] bias = inputs[BiasTensor], state = inputs[StateTensor];
            int inputStart = starts[InputTensor], wfStart = starts[WeightsFeatureTensor], wtStart = starts[WeightsTimeTensor];
            int biasStart = starts[BiasTensor], stateStart = starts[StateTensor];
            int filters = p.Filters, memory = p.Memory, inputSize = p.InputSize;
            bool wide = p.StateIsInt16;
            int esize = wide ? 2 : 1;
            int stateBytes = p.Batches * filters * memory * esize;

            // 1. Shift the state left by one element (overlapping copy towards lower addresses).
            for (int k = esize; k < stateBytes; k++) state[stateStart + k - esize] = state[stateStart + k];

            // 2. Feature matmul into each filter's newest slot.
            int min = wide ? -32768 : -128, max = wide ? 32767 : 127;
            for (int b = 0; b < p.Batches; b++)
            {
                int x0 = inputStart + b * inputSize;
                for (int f = 0; f < filters; f++)
                {
                    int w0 = wfStart + f * inputSize;
                    int acc = 0;
                    for (int i = 0; i < inputSize; i++)
                        acc = unchecked(acc + (sbyte)wf[w0 + i] * ((sbyte)input[x0 + i] + p.InputOffset));
                    acc = FixedPoint.MultiplyByQuantizedMultiplier(acc, p.Multiplier1, p.Shift1);
                    if (acc < min) acc = min;
                    if (acc > max) acc = max;
                    int v = unchecked(p.StateZeroPoint + acc);
                    int slot = stateStart + ((b * filters + f) * memory + memory - 1) * esize;
                    if (wide)
                    {
                        state[slot] = (byte)v;
                        state[slot + 1] = (byte)(v >> 8);
                    }
                    else state[slot] = (byte)v;
                }
            }

            // 3 and 4. Time dot products, rank reduction, bias, output requantization.
            int units = p.Units, rank = p.Rank, zp = p.StateZeroPoint;
            for (int b = 0; b < p.Batches; b++)
            {
                for (int u = 0; u < units; u++)
                {
                    int acc = 0;
                    if (bias != null)
                    {
                        int q = biasStart + 4 * u;
                        acc = bias[q] | (bias[q + 1] << 8) | (bias[q + 2] << 16) | (bias[q + 3] << 24);
                    }
                    for (int r = 0; r < rank; r++)
                    {
                        int f = u * rank + r;
                        int s0 = stateStart + (b * filters + f) * memory * esize;
                        int t0 = wtStart + f * memory * esize;
                        int dot = 0;
                        if (wide)
                        {
                            for (int j = 0; j < memory; j++)
                            {
                                int w = (short)(wt[t0 + 2 * j] | (wt[t0 + 2 * j + 1] << 8));
                                int s = (short)(state[s0 + 2 * j] | (state[s0 + 2 * j + 1] << 8));
                                dot = unchecked(dot + w * (s - zp));
                            }
                        }
                        else
                        {
                            for (int j = 0; j < memory; j++)
                                dot = unchecked(dot + (sbyte)wt[t0 + j] * ((sbyte)state[s0 + j] - zp));
                        }
                        acc = unchecked(acc + dot);
                    }
                    int result = unchecked(FixedPoint.MultiplyByQuantizedMultiplier(acc, p.Multiplier2, p.Shift2) + p.OutputOffset);
                    if (result < -128) result = -128;
                    if (result > 127) result = 127;
                    output[outputStart + b * units + u] = (byte)(sbyte)result;
                }
            }
        }
    }
}
