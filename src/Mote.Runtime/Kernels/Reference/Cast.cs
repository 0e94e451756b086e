using Mote.Runtime.Format;

namespace Mote.Runtime.Kernels
{
    /// <summary>
    /// CAST between int8, int16, int32 and uint32 (TFLM cast.cc: static_cast per element, so
    /// narrowing keeps the low bits and uint32 -> int32 reinterprets).
    /// </summary>
    public static class Cast
    {
        public static void Eval(CastParams p, byte[] input, int inputStart, byte[] output, int outputStart)
        {
            int inSize = DataType.Size(p.InputType), outSize = DataType.Size(p.OutputType);
            for (int i = 0; i < p.Count; i++)
            {
                int at = inputStart + i * inSize;
                int v;
                switch (p.InputType)
                {
                    case DataType.Int8: v = (sbyte)input[at]; break;
                    case DataType.Int16: v = ElementBytes.ReadInt16(input, at); break;
                    default: v = ElementBytes.ReadInt32(input, at); break; // int32, uint32: the same 32 bits
                }
                int o = outputStart + i * outSize;
                switch (outSize)
                {
                    case 1: output[o] = (byte)v; break;
                    case 2: ElementBytes.WriteInt16(output, o, v); break;
                    default: ElementBytes.WriteInt32(output, o, v); break;
                }
            }
        }
    }
}
