
namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// FULLY_CONNECTED, int8 activations and weights, int32 bias.
    /// Follows TFLM reference_integer_ops::FullyConnected / FullyConnectedPerChannel
    /// (fully_connected.h). Multiplier and shift come from tables read with a channel
    /// stride (<see cref="FullyConnectedParams.RequantStride"/>: 1 = one entry per
    /// output, 0 = one shared entry for per-tensor weights), so one kernel serves
    /// both: TFLM's two functions differ only in where the multiplier comes from
    /// and in that the per-channel one ignores the filter offset. Weights are symmetric (filter zero point 0) in both cases, so
    /// FilterOffset is 0 in practice; it is applied as the per-tensor kernel does.
    /// </summary>
    public static class FullyConnected
    {
        /// <summary>
        /// Shapes: input int8 [Batches, AccumDepth]; filter int8 [OutputDepth, AccumDepth];
        /// bias int32 LE [OutputDepth] at biasStart, or biasStart &lt; 0 for no bias;
        /// quant holds int32 LE multiplier[OutputDepth] at multiplierStart and
        /// int32 LE shift[OutputDepth] at shiftStart (shift &gt; 0 = left shift),
        /// or one entry each when p.RequantStride is 0; output int8 [Batches, OutputDepth].
        ///
        /// For every (b, o):
        ///  1. acc (int32, wrapping) = sum over d of
        ///     (filter[o, d] + FilterOffset) * (input[b, d] + InputOffset);
        ///  2. acc += bias[o] if there is a bias;
        ///  3. acc = MultiplyByQuantizedMultiplier(acc, multiplier[q], shift[q]) with
        ///     q = o * RequantStride (o, or 0 for a shared entry)
        ///     (double rounding), acc += OutputOffset, clamp to
        ///     [ActivationMin, ActivationMax], store as int8.
        /// </summary>
        public static void Eval(FullyConnectedParams p, byte[] input, int inputStart, byte[] filter, int filterStart,
            byte[] bias, int biasStart, byte[] quant, int multiplierStart, int shiftStart,
            byte[] output, int outputStart)
        {
            int depth = p.AccumDepth;
            int outDepth = p.OutputDepth;
            int inputOffset = p.InputOffset;
            int filterOffset = p.FilterOffset;
            int quantStride = p.RequantStride;

            for (int b = 0; b < p.Batches; b++)
            {
                int inBase = inputStart + b * depth;
                for (int oc = 0; oc < outDepth; oc++)
                {
                    int fBase = filterStart + oc * depth;
                    int acc = 0;
                    for (int d = 0; d < depth; d++)
                    {
                        int inputVal = (sbyte)input[inBase + d];
                        int filterVal = (sbyte)filter[fBase + d];
                        acc = unchecked(acc + (filterVal + filterOffset) * (inputVal + inputOffset));
                    }
                    acc = FixedPoint.RequantizeChannel(acc, bias, biasStart, quant, multiplierStart, shiftStart, oc, oc * quantStride,
                        p.OutputOffset, p.ActivationMin, p.ActivationMax);
                    output[outputStart + b * outDepth + oc] = (byte)(sbyte)acc;
                }
            }
        }
    }
}
