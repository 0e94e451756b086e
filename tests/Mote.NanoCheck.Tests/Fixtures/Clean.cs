// Test input: device-style code in the nanoFramework subset; the gate must report nothing.
using System;
using System.Collections;

namespace Fixtures
{
    public sealed class CleanKernel
    {
        readonly sbyte[] _weights;
        readonly int[] _bias;
        readonly ArrayList _names = new ArrayList();

        public CleanKernel(sbyte[] weights, int[] bias)
        {
            if (weights == null) throw new ArgumentNullException(nameof(weights));
            _weights = weights;
            _bias = bias;
            _names.Add("fc");
        }

        public static readonly byte[] Table = { 1, 2, 3, 4 };

        public void Invoke(sbyte[] input, int inputOffset, sbyte[] output, int outputOffset, int count)
        {
            for (int o = 0; o < count; o++)
            {
                int acc = _bias[o];
                for (int i = 0; i < _weights.Length / count; i++)
                    acc += input[inputOffset + i] * _weights[o * (_weights.Length / count) + i];
                acc = Math.Max(-128, Math.Min(127, acc));
                output[outputOffset + o] = (sbyte)acc;
            }
            var jagged = new int[2][];
            jagged[0] = new int[1];
            Array.Copy(Table, 0, new byte[4], 0, 4);
        }

        public static float ReadScale(byte[] blob, int offset) => BitConverter.ToSingle(blob, offset);

        public static string Name(int op)
        {
            switch (op)
            {
                case 0: return "CONV_2D";
                case 1: return "ADD";
                default: return "op" + op.ToString();
            }
        }
    }
}
