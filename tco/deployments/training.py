"""Count the tokens of a fine-tuning data set: each data row rendered as one chat example."""

from __future__ import annotations

from dataclasses import dataclass

from tco.deployments.base import ScenarioContext
from tco.errors import ScenarioError
from tco.scenario import PromptTemplate, Training
from tco.tokens.counter import TokenCounter
from tco.workload import TokenStats, count_chat


@dataclass(frozen=True)
class TrainingTokens:
    per_example: TokenStats
    examples: int
    epochs: float

    @property
    def dataset_tokens(self) -> float:
        return self.per_example.mean * self.examples

    @property
    def trained_tokens(self) -> float:
        """Tokens processed by the run: data set tokens x epochs, as providers bill them."""
        return self.dataset_tokens * self.epochs

    def as_dict(self) -> dict:
        return {
            "examples": self.examples,
            "tokens_per_example": self.per_example.as_dict(),
            "dataset_tokens": round(self.dataset_tokens),
            "epochs": self.epochs,
            "trained_tokens": round(self.trained_tokens),
        }


def measure_training_tokens(context: ScenarioContext, counter: TokenCounter, training: Training) -> TrainingTokens:
    """Render each row of the training data as chat messages and count them with chat framing."""
    messages = []
    for message in training.messages:
        # Every message reads its per-row variables from the training data.
        template = PromptTemplate(
            text=message.template.text,
            file=message.template.file,
            data=training.data,
            blocks=message.template.blocks,
            values=message.template.values,
        )
        messages.append((message.role, context.measurer.render(template)))
    if not any(rendered.per_row for _, rendered in messages):
        raise ScenarioError(
            f"{context.loaded.path}: training messages use no column of {training.data}, "
            "so every example would be the same text; reference the data's columns with $name"
        )
    counts = count_chat(counter, messages)
    examples = max(len(rendered.texts) for _, rendered in messages)
    return TrainingTokens(TokenStats.of(counts, counter.label, counter.exact), examples, training.epochs)
