"""Learning: training the classifier (`training`), the seeded content-farm generator (`corrupt`),
evaluation on held-out data (`evaluate`) and the heuristic filter chain it is compared with
(`peers`). The only package that imports scikit-learn."""
