namespace Mote.Device.Pipeline
{
    /// <summary>
    /// One classified window. A single instance is reused by <see cref="DevicePipeline"/> (no
    /// allocation per window): copy what you need inside <see cref="IResultSink.OnResult"/>.
    /// </summary>
    public sealed class InferenceResult
    {
        /// <summary>Running window number (0, 1, …).</summary>
        public int Sequence;
        /// <summary>Absolute sample index of the window's first sample.</summary>
        public long WindowStart;
        /// <summary>Argmax class of this window.</summary>
        public int Class;
        /// <summary>The winner's int8 logit and its lead over the runner-up.</summary>
        public int Score, Margin;
        /// <summary>Debounced class after this window (-1: none/uncertain).</summary>
        public int Stable;
        /// <summary>Time of Invoke in microseconds (0 when the clock is not set).</summary>
        public int InvokeMicros;
        /// <summary>The raw int8 outputs (first <see cref="OutputCount"/> bytes valid).</summary>
        public byte[] Outputs;
        public int OutputCount;
    }
}
