"""The ``model`` group: one classifier, chosen by ``name`` (a discriminated union)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, PositiveFloat, PositiveInt, model_validator


class _Searchable(BaseModel):
    """A model with a hyper-parameter search space over its own fields."""

    search_space: dict[str, list[Any]] = Field(
        default_factory=dict, description="Candidate values per hyper-parameter of this model."
    )

    @model_validator(mode="after")
    def _space_names_fields(self) -> _Searchable:
        fields = set(type(self).model_fields) - {"name", "search_space"}
        unknown = sorted(set(self.search_space) - fields)
        if unknown:
            raise ValueError(f"search_space names unknown hyper-parameters {unknown}")
        return self


class Logistic(_Searchable):
    """L2-regularised logistic regression."""

    name: Literal["logistic"]
    C: PositiveFloat = Field(1.0, description="Inverse regularisation strength.")
    solver: Literal["lbfgs", "liblinear", "newton-cg", "sag", "saga"] = "lbfgs"
    fit_intercept: bool = True
    max_iter: PositiveInt = 100
    class_weight: Literal["balanced"] | None = None
    tol: PositiveFloat = 1e-4


class Mlp(_Searchable):
    """A small multi-layer perceptron."""

    name: Literal["mlp"]
    hidden_sizes: list[PositiveInt] = Field([100], min_length=1, description="Units per layer.")
    activation: Literal["relu", "tanh", "logistic", "identity"] = "relu"
    l2: float = Field(1e-4, ge=0, description="L2 penalty (alpha).")
    num_outputs: int = Field(ge=2, description="Output units; the data set's class count.")
    warm_start: bool = False


class RandomForest(_Searchable):
    """A random forest of decision trees."""

    name: Literal["random_forest"]
    n_estimators: PositiveInt = 100
    criterion: Literal["gini", "entropy", "log_loss"] = "gini"
    max_depth: PositiveInt | None = None
    min_samples_split: int = Field(2, ge=2)
    min_samples_leaf: PositiveInt = 1
    max_features: Literal["sqrt", "log2"] | PositiveInt | None = "sqrt"
    class_weight: Literal["balanced", "balanced_subsample"] | None = None
    bootstrap: bool = True
    oob_score: bool = False


ModelConfig = Annotated[Logistic | Mlp | RandomForest, Field(discriminator="name")]
