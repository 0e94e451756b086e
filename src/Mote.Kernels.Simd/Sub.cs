using Mote.Runtime.Kernels;
using Reference = Mote.Runtime.Kernels;

namespace Mote.Kernels.Simd
{
    /// <summary>
    /// SUB int16, bit-exact with <see cref="Reference.Sub.EvalInt16"/>: ADD int16's vector code
    /// (<see cref="AddInt16"/>, same hardware choice, same broadcast handling) with scaled1 − scaled2
    /// (the multipliers are the packer's; the kernel only uses them). int8 SUB stays on the reference kernel.
    /// </summary>
    public static class Sub
    {
        public static void EvalInt16(AddParams p, byte[] input1, int input1Start, byte[] input2, int input2Start,
            byte[] output, int outputStart)
        {
            if (!AddInt16.Usable(p, input1, input1Start, input2, input2Start, output, outputStart))
            {
                Reference.Sub.EvalInt16(p, input1, input1Start, input2, input2Start, output, outputStart);
                return;
            }
            AddInt16.Run(p, true, input1, input1Start, input2, input2Start, output, outputStart);
        }
    }
}
