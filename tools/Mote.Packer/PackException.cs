using System;

namespace Mote.Packer
{
    /// <summary>
    /// The model cannot be packed: an unsupported operator or type, inconsistent shapes or
    /// quantization, or a plan that does not fit. The message names the file, operator and tensor.
    /// </summary>
    public class PackException : Exception
    {
        public PackException(string message) : base(message) { }
        public PackException(string message, Exception inner) : base(message, inner) { }
    }
}
