namespace Mote.Device.Pipeline
{
    /// <summary>
    /// int8 logits → decision. Argmax; the winner counts only when its lead over the runner-up
    /// is at least <see cref="MinMargin"/> (in quantized units of the output tensor), otherwise
    /// the window is "uncertain" (class -1). Debounce: the reported <see cref="Stable"/> class
    /// changes only after <see cref="Debounce"/> consecutive windows agree on a new class.
    /// </summary>
    public sealed class Postprocessor
    {
        public int MinMargin;
        public int Debounce = 1;
        int candidate = -1, run;

        public Postprocessor() { Stable = -1; }

        /// <summary>The debounced class (-1 until one is established).</summary>
        public int Stable { get; private set; }

        /// <summary>Argmax of <paramref name="count"/> int8 values; margin is winner minus runner-up.</summary>
        public static int Argmax(byte[] buffer, int start, int count, out int score, out int margin)
        {
            int best = 0, bestV = (sbyte)buffer[start], second = -129;
            for (int i = 1; i < count; i++)
            {
                int v = (sbyte)buffer[start + i];
                if (v > bestV) { second = bestV; bestV = v; best = i; }
                else if (v > second) second = v;
            }
            score = bestV;
            margin = count > 1 ? bestV - second : 255;
            return best;
        }

        /// <summary>Feeds one window's decision; returns true when <see cref="Stable"/> changed.</summary>
        public bool Update(int cls, int margin)
        {
            if (margin < MinMargin) cls = -1;
            if (cls == candidate) run++;
            else { candidate = cls; run = 1; }
            if (run >= Debounce && candidate != Stable)
            {
                Stable = candidate;
                return true;
            }
            return false;
        }
    }
}
