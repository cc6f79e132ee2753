using System.Numerics.Tensors;

namespace LocalQa.Core.Extractive;

/// <summary>A unit-length sparse vector: term ids in ascending order with their weights.</summary>
internal sealed class SparseVector
{
    public SparseVector(int[] terms, float[] weights)
    {
        Terms = terms;
        Weights = weights;
        var norm = TensorPrimitives.Norm(weights);
        if (norm > 0)
        {
            TensorPrimitives.Divide(weights, norm, weights);
        }
    }

    public int[] Terms { get; }

    public float[] Weights { get; }

    /// <summary>The cosine similarity of two unit vectors, by merging their sorted term lists.</summary>
    public static double Dot(SparseVector a, SparseVector b)
    {
        var sum = 0.0;
        int i = 0, j = 0;
        var at = a.Terms;
        var bt = b.Terms;
        while (i < at.Length && j < bt.Length)
        {
            if (at[i] == bt[j])
            {
                sum += a.Weights[i] * b.Weights[j];
                i++;
                j++;
            }
            else if (at[i] < bt[j])
            {
                i++;
            }
            else
            {
                j++;
            }
        }

        return sum;
    }
}
